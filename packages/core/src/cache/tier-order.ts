/**
 * One mutation of one remote tier (a write, delete, clear, backfill or repair), holding
 * its place in that tier's per-key order.
 */
export class Ticket {
  /** The key, or the prefix of a clear. */
  readonly target: string
  readonly isPrefix: boolean
  /** Whether a later mutation of the same key may drop this one before it starts. */
  readonly cancellable: boolean
  /** Whether this mutation replaces whatever the target held (not an `add`, not a backfill). */
  readonly overwrites: boolean
  /** Set when a later mutation made this one pointless before it started. */
  cancelled = false
  started = false
  /** Settles (never rejects) once the mutation is done, failed, timed out or dropped. */
  readonly settled: Promise<void>
  #settle!: () => void

  constructor(target: string, isPrefix: boolean, cancellable: boolean, overwrites: boolean) {
    this.target = target
    this.isPrefix = isPrefix
    this.cancellable = cancellable
    this.overwrites = overwrites
    this.settled = new Promise((resolve) => {
      this.#settle = resolve
    })
  }

  covers(key: string): boolean {
    return this.isPrefix ? key.startsWith(this.target) : key === this.target
  }

  /** @internal Called by {@link TierOrder}. */
  settle(): void {
    this.#settle()
  }
}

/**
 * The order of this process' mutations on one remote tier (DESIGN §10).
 *
 * A mutation of a key runs only after every earlier mutation of that key (or a clear
 * covering it) has settled, so two writes, or a write and a delete, land in the order
 * they were issued. An earlier mutation that has not started yet and would be
 * overwritten anyway (a queued write-behind write, a backfill) is dropped instead of
 * waited for. "Settled" is bounded by the tier's timeout: a call that outlives it is
 * handed to recovery, which fences the key until the tier is known to be right again.
 *
 * While a key has a mutation pending here, the tier's copy of it may be older than what
 * this process already promised its callers, so reads skip the tier for that key
 * ({@link isPending}).
 */
export class TierOrder {
  readonly #byKey = new Map<string, Set<Ticket>>()
  readonly #clears = new Set<Ticket>()

  /** Takes a place after every pending mutation `ticket` must follow; resolves when it may start. */
  enter(ticket: Ticket): Promise<void> {
    const waits: Promise<void>[] = []
    const follow = (earlier: Ticket) => {
      if (!earlier.started && earlier.cancellable && supersedes(ticket, earlier)) {
        earlier.cancelled = true
        this.#finish(earlier)
      } else {
        waits.push(earlier.settled)
      }
    }
    for (const clear of [...this.#clears]) if (overlaps(clear, ticket)) follow(clear)
    if (ticket.isPrefix) {
      for (const [key, tickets] of [...this.#byKey]) {
        if (key.startsWith(ticket.target)) for (const earlier of [...tickets]) follow(earlier)
      }
      this.#clears.add(ticket)
    } else {
      // Following may finish (cancel) earlier tickets and drop the key's set: add after.
      for (const earlier of [...(this.#byKey.get(ticket.target) ?? [])]) follow(earlier)
      let tickets = this.#byKey.get(ticket.target)
      if (tickets === undefined) {
        tickets = new Set()
        this.#byKey.set(ticket.target, tickets)
      }
      tickets.add(ticket)
    }
    return waits.length === 0 ? Promise.resolve() : Promise.all(waits).then(() => undefined)
  }

  /** Marks `ticket` done (whatever its outcome) and lets the mutations behind it go. */
  finish(ticket: Ticket): void {
    this.#finish(ticket)
  }

  /** Whether a mutation of `key` (or a clear covering it) is queued or running. */
  isPending(key: string): boolean {
    if (this.#byKey.has(key)) return true
    for (const clear of this.#clears) if (key.startsWith(clear.target)) return true
    return false
  }

  #finish(ticket: Ticket): void {
    if (ticket.isPrefix) {
      if (!this.#clears.delete(ticket)) return
    } else {
      const tickets = this.#byKey.get(ticket.target)
      if (!tickets?.delete(ticket)) return
      if (tickets.size === 0) this.#byKey.delete(ticket.target)
    }
    ticket.settle()
  }
}

function overlaps(a: Ticket, b: Ticket): boolean {
  if (!a.isPrefix && !b.isPrefix) return a.target === b.target
  if (a.isPrefix && b.isPrefix)
    return a.target.startsWith(b.target) || b.target.startsWith(a.target)
  return a.isPrefix ? b.target.startsWith(a.target) : a.target.startsWith(b.target)
}

/** Whether `later` replaces everything `earlier` would do. */
function supersedes(later: Ticket, earlier: Ticket): boolean {
  if (!later.overwrites) return false
  return later.isPrefix ? earlier.target.startsWith(later.target) : !earlier.isPrefix
}
