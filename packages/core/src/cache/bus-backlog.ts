import type { Invalidation } from './bus-link.js'
import type { TagChange } from './tags.js'

/** Invalidations kept for re-announcing at most; past this, a reset is announced instead. */
export const MAX_BACKLOG = 1_000

/**
 * Invalidations this process could not publish (the bus was down or slow). When the bus
 * works again they are announced once, merged; if more piled up than
 * {@link MAX_BACKLOG}, a reset is announced instead, and every other process drops its
 * whole local tier (as after losing its own subscription).
 */
export class BusBacklog {
  readonly #keys = new Set<string>()
  readonly #prefixes = new Set<string>()
  readonly #tags: TagChange[] = []
  #overflowed = false

  get isEmpty(): boolean {
    return (
      !this.#overflowed &&
      this.#keys.size === 0 &&
      this.#prefixes.size === 0 &&
      this.#tags.length === 0
    )
  }

  get size(): number {
    return this.#keys.size + this.#prefixes.size + this.#tags.length
  }

  add(invalidation: Invalidation): void {
    if (this.#overflowed) return
    for (const key of invalidation.keys ?? []) this.#keys.add(key)
    if (invalidation.prefix !== undefined) this.#prefixes.add(invalidation.prefix)
    if (invalidation.tags !== undefined) this.#tags.push(invalidation.tags)
    if (this.size > MAX_BACKLOG) {
      this.#overflowed = true
      this.#keys.clear()
      this.#prefixes.clear()
      this.#tags.length = 0
    }
  }

  /** The messages that announce everything held, and empties the backlog. */
  drain(): Invalidation[] {
    const messages: Invalidation[] = this.#overflowed
      ? [{ reset: true }]
      : [
          ...(this.#keys.size > 0 ? [{ keys: [...this.#keys] }] : []),
          ...[...this.#prefixes].map((prefix) => ({ prefix })),
          ...this.#tags.map((tags) => ({ tags })),
        ]
    this.#keys.clear()
    this.#prefixes.clear()
    this.#tags.length = 0
    this.#overflowed = false
    return messages
  }
}
