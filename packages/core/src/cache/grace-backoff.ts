/** Keys whose back-off is remembered at most; past it, lapsed and then oldest ones go. */
export const MAX_BACKOFF_KEYS = 10_000

/**
 * When a failed loader may be retried, per full key (grace back-off). Bounded: a key
 * forgotten early is only retried sooner, which costs a loader call, never a wrong value.
 */
export class GraceBackoff {
  readonly #retryAfter = new Map<string, number>()
  readonly #max: number

  constructor(max = MAX_BACKOFF_KEYS) {
    this.#max = max
  }

  get size(): number {
    return this.#retryAfter.size
  }

  /** Whether a loader of `fullKey` that failed recently must not be retried yet. */
  isBackingOff(fullKey: string, now: number): boolean {
    const retryAfter = this.#retryAfter.get(fullKey)
    if (retryAfter === undefined) return false
    if (now < retryAfter) return true
    this.#retryAfter.delete(fullKey)
    return false
  }

  backOff(fullKey: string, until: number, now: number): void {
    this.#retryAfter.delete(fullKey) // re-inserted last: the map stays in expiry order, roughly
    this.#retryAfter.set(fullKey, until)
    if (this.#retryAfter.size > this.#max) this.#shrink(now)
  }

  clear(fullKey: string): void {
    this.#retryAfter.delete(fullKey)
  }

  #shrink(now: number): void {
    for (const [key, retryAfter] of this.#retryAfter) {
      if (retryAfter <= now) this.#retryAfter.delete(key)
    }
    const target = Math.floor(this.#max * 0.9)
    for (const key of this.#retryAfter.keys()) {
      if (this.#retryAfter.size <= target) return
      this.#retryAfter.delete(key)
    }
  }
}
