/** A read, load or write of one key that began at a known point in the mutation order. */
export class Watch {
  /** Set by {@link Epochs.end}; ending a watch twice is harmless. */
  open = true

  constructor(
    readonly key: string,
    readonly since: number,
  ) {}
}

/**
 * Mutations remembered per key while watches are open, at most. Past it every open watch
 * is told its key changed (it then skips its copy, which is always safe), and the
 * record starts over, so a watch left open for long under heavy writes costs bounded
 * memory.
 */
const MAX_REMEMBERED_CHANGES = 50_000

/**
 * Answers "was this key changed since I started?" for work in flight.
 *
 * Every mutation (set, delete, clear, namespace clear, a change announced by the bus)
 * takes the next number of one process-wide sequence. Work that may later copy what it
 * saw into a tier (a read that backfills, a load that caches its result, a write whose
 * local step comes after its remote one) opens a {@link Watch} when it starts and asks
 * {@link changedSince} right before that copy: if the key was mutated meanwhile, what
 * it holds is older than that mutation and must not land.
 *
 * Open watches are counted per starting point, not per key (reads far outnumber
 * mutations, so a watch costs one counter update); mutations are remembered only while
 * a watch older than them is open.
 */
export class Epochs {
  #sequence = 0
  /** Open watches per `since`; keys ascend in insertion order, the first is the oldest. */
  readonly #openSince = new Map<number, number>()
  /** Last mutation of each key changed while a watch was open, oldest first. */
  readonly #lastChange = new Map<string, number>()
  /** Prefix mutations that an open watch may still need to see. */
  #prefixChanges: { readonly prefix: string; readonly at: number }[] = []
  /** A change of everything (the bus lost messages, or too many changes to remember). */
  #resetAt = -1

  /** Starts watching `key`; pair with {@link end}. */
  watch(key: string): Watch {
    this.#open(1)
    return new Watch(key, this.#sequence)
  }

  /** {@link watch} of each of `keys`, with one bookkeeping step for all of them. */
  watchMany(keys: readonly string[]): Watch[] {
    this.#open(keys.length)
    const since = this.#sequence
    return keys.map((key) => new Watch(key, since))
  }

  end(watch: Watch): void {
    if (!watch.open) return
    watch.open = false
    this.#close(watch.since, 1)
  }

  /** {@link end} of watches opened together by {@link watchMany}. */
  endMany(watches: readonly Watch[]): void {
    let open = 0
    for (const watch of watches) {
      if (!watch.open) continue
      watch.open = false
      open++
    }
    const first = watches[0]
    if (open > 0 && first !== undefined) this.#close(first.since, open)
  }

  /** Records a mutation of `key`; returns its sequence number. */
  changed(key: string): number {
    const at = ++this.#sequence
    if (this.#openSince.size > 0) {
      // Delete first, so that the map stays ordered by mutation.
      this.#lastChange.delete(key)
      if (this.#lastChange.size >= MAX_REMEMBERED_CHANGES) this.#forgetAll(at)
      else this.#lastChange.set(key, at)
    }
    return at
  }

  /** Records a mutation of every key starting with `prefix`. */
  changedPrefix(prefix: string): number {
    const at = ++this.#sequence
    if (this.#openSince.size > 0) this.#prefixChanges.push({ prefix, at })
    return at
  }

  /** Records a mutation of every key. */
  changedAll(): void {
    this.#resetAt = ++this.#sequence
  }

  /** Whether `watch.key` was mutated after the watch began. */
  changedSince(watch: Watch): boolean {
    if (this.#resetAt > watch.since) return true
    const last = this.#lastChange.get(watch.key)
    if (last !== undefined && last > watch.since) return true
    for (const change of this.#prefixChanges) {
      if (change.at > watch.since && watch.key.startsWith(change.prefix)) return true
    }
    return false
  }

  #open(count: number): void {
    const since = this.#sequence
    this.#openSince.set(since, (this.#openSince.get(since) ?? 0) + count)
  }

  #close(since: number, count: number): void {
    const left = (this.#openSince.get(since) ?? count) - count
    if (left > 0) {
      this.#openSince.set(since, left)
      return
    }
    this.#openSince.delete(since)
    this.#forgetUnwatched()
  }

  /** Drops what no open watch can still ask about: changes at or before the oldest start. */
  #forgetUnwatched(): void {
    if (this.#openSince.size === 0) {
      if (this.#lastChange.size > 0) this.#lastChange.clear()
      if (this.#prefixChanges.length > 0) this.#prefixChanges = []
      return
    }
    const oldest = this.#openSince.keys().next().value as number
    for (const [key, at] of this.#lastChange) {
      if (at > oldest) break
      this.#lastChange.delete(key)
    }
    if (this.#prefixChanges.length > 0) {
      this.#prefixChanges = this.#prefixChanges.filter((change) => change.at > oldest)
    }
  }

  /** Too much to remember: every watch open now counts as changed. */
  #forgetAll(at: number): void {
    this.#resetAt = at
    this.#lastChange.clear()
  }
}
