/** Counters of one tier, as seen by the cache. */
export interface TierStats {
  readonly name: string
  hits: number
  misses: number
  /** Failed operations (unreachable backend, timeout, undecodable entry). */
  errors: number
}

/** Counters of one cache; `cache.stats()` returns a copy. */
export interface CacheStats {
  /** Reads answered by some tier. */
  hits: number
  /** Reads no tier answered. */
  misses: number
  sets: number
  deletes: number
  /** Errors of any kind, tiers' included. */
  errors: number
  /** Loader calls made by `getOrSet`. */
  loads: number
  /** Loader calls that threw. */
  loadErrors: number
  /** Total time spent in loaders, in ms. */
  loadTime: number
  /** `getOrSet` callers that waited for another caller's loader instead of calling their own. */
  coalesced: number
  readonly tiers: TierStats[]
}

export function createStats(tierNames: readonly string[]): CacheStats {
  return {
    hits: 0,
    misses: 0,
    sets: 0,
    deletes: 0,
    errors: 0,
    loads: 0,
    loadErrors: 0,
    loadTime: 0,
    coalesced: 0,
    tiers: tierNames.map((name) => ({ name, hits: 0, misses: 0, errors: 0 })),
  }
}

export function copyStats(stats: CacheStats): CacheStats {
  return { ...stats, tiers: stats.tiers.map((tier) => ({ ...tier })) }
}
