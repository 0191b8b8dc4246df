/**
 * A decoded cache entry: the value and the three-phase lifetime around it.
 *
 * - fresh while `now < freshUntil`: served;
 * - stale while `freshUntil <= now < staleUntil`: served only under
 *   stale-while-revalidate or as a grace fallback;
 * - dead from `staleUntil` on: never served. `staleUntil` is the physical expiry
 *   handed to stores.
 *
 * All times are epoch milliseconds; `Infinity` means "never".
 */
export interface CacheEntry<T = unknown> {
  readonly value: T
  readonly createdAt: number
  readonly freshUntil: number
  readonly staleUntil: number
  /** Tags the entry was written with (empty when none). */
  readonly tags: readonly string[]
  /** How long the loader took to produce the value, in ms, when known (scales early refresh). */
  readonly loadTime?: number
}

/** Shared empty tag list, so untagged entries allocate nothing for tags. */
export const NO_TAGS: readonly string[] = Object.freeze([])
