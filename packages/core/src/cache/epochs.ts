/** A read, load or write of one key that began at a known point in the mutation order. */
export interface Watch {
  readonly key: string
  readonly since: number
}

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
 * State is kept only for keys someone is watching, and prefix mutations only while a
 * watch older than them is open, so memory is bounded by the work in flight.
 */
export class Epochs {
  #sequence = 0
  /** Sequence number of the last mutation of each watched key. */
  readonly #lastChange = new Map<string, number>()
  /** Open watches per key. */
  readonly #watchers = new Map<string, number>()
  /** Every open watch's start, in start order (the first is the oldest). */
  readonly #open = new Map<Watch, number>()
  /** Prefix mutations that an open watch may still need to see. */
  #prefixChanges: { readonly prefix: string; readonly at: number }[] = []
  /** A change of everything (the bus lost messages). */
  #resetAt = -1

  /** Starts watching `key`; pair with {@link end}. */
  watch(key: string): Watch {
    const watch = { key, since: this.#sequence }
    this.#open.set(watch, watch.since)
    this.#watchers.set(key, (this.#watchers.get(key) ?? 0) + 1)
    return watch
  }

  end(watch: Watch): void {
    if (!this.#open.delete(watch)) return
    const left = (this.#watchers.get(watch.key) ?? 1) - 1
    if (left > 0) {
      this.#watchers.set(watch.key, left)
    } else {
      this.#watchers.delete(watch.key)
      this.#lastChange.delete(watch.key)
    }
    if (this.#prefixChanges.length > 0) {
      const oldest = this.#open.values().next().value ?? this.#sequence
      this.#prefixChanges = this.#prefixChanges.filter((change) => change.at > oldest)
    }
  }

  /** Records a mutation of `key`; returns its sequence number. */
  changed(key: string): number {
    const at = ++this.#sequence
    if (this.#watchers.has(key)) this.#lastChange.set(key, at)
    return at
  }

  /** Records a mutation of every key starting with `prefix`. */
  changedPrefix(prefix: string): number {
    const at = ++this.#sequence
    if (this.#open.size > 0) this.#prefixChanges.push({ prefix, at })
    return at
  }

  /** Records a mutation of every key. */
  changedAll(): void {
    this.#resetAt = ++this.#sequence
  }

  /** Whether `watch.key` was mutated after the watch began. */
  changedSince(watch: Watch): boolean {
    const last = this.#lastChange.get(watch.key)
    if (last !== undefined && last > watch.since) return true
    if (this.#resetAt > watch.since) return true
    for (const change of this.#prefixChanges) {
      if (change.at > watch.since && watch.key.startsWith(change.prefix)) return true
    }
    return false
  }
}
