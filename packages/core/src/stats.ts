import type { RecoveryStats } from './cache/recovery.js'
import type { StoreStats } from './store.js'

/** Counters of one tier, as seen by the cache. */
export interface TierStats {
  readonly name: string
  /** Fresh entries served from this tier. */
  hits: number
  /** Stale entries served from this tier (stale-while-revalidate, soft timeout, grace). */
  staleHits: number
  misses: number
  /** Failed operations (unreachable backend, timeout, open circuit, undecodable entry). */
  errors: number
  /**
   * The store's own counters (`RemoteStore.stats()`), read when `cache.stats()` is called;
   * absent for stores without them.
   */
  store?: StoreStats
}

/** Counters of one cache and its namespaces; `cache.stats()` returns a copy. */
export interface CacheStats {
  /** Reads answered with a fresh value. */
  hits: number
  /** Reads answered with a stale value under stale-while-revalidate or a soft timeout. */
  staleHits: number
  /** Reads answered with a stale value because the loader or the tiers failed. */
  graceHits: number
  /** Reads no tier answered. */
  misses: number
  sets: number
  deletes: number
  /** Errors of any kind, tiers' included. */
  errors: number
  /** Loader calls (foreground and background). */
  loads: number
  /** Loader calls that threw or timed out. */
  loadErrors: number
  /** Total time spent in loaders, in ms. */
  loadTime: number
  /** Background refreshes started (stale-while-revalidate, early refresh, soft timeout). */
  refreshes: number
  /** `getOrSet` callers that joined another caller's loader instead of calling their own. */
  coalesced: number
  /** `getOrSet` calls that waited for another process' distributed lock. */
  lockWaits: number
  readonly tiers: TierStats[]
  /** Keys fenced after failed remote mutations, and their repairs (see docs/engine.md). */
  recovery: RecoveryStats
}

export function createStats(tierNames: readonly string[]): CacheStats {
  return {
    hits: 0,
    staleHits: 0,
    graceHits: 0,
    misses: 0,
    sets: 0,
    deletes: 0,
    errors: 0,
    loads: 0,
    loadErrors: 0,
    loadTime: 0,
    refreshes: 0,
    coalesced: 0,
    lockWaits: 0,
    tiers: tierNames.map((name) => ({ name, hits: 0, staleHits: 0, misses: 0, errors: 0 })),
    recovery: { fenced: 0, pending: 0, recovered: 0, retries: 0 },
  }
}

/**
 * A snapshot of `stats`, with the recovery counters read now and, per tier, the store's
 * own counters (`storeStats[i]` belongs to `stats.tiers[i]`; `undefined` for none).
 */
export function copyStats(
  stats: CacheStats,
  recovery: RecoveryStats,
  storeStats: readonly (StoreStats | undefined)[] = [],
): CacheStats {
  const tiers = stats.tiers.map((tier, index) => {
    const store = storeStats[index]
    return store === undefined ? { ...tier } : { ...tier, store }
  })
  return { ...stats, tiers, recovery }
}

/** A store's own counters, or `undefined` when it has none or they fail. */
export function readStoreStats(store: { stats?(): StoreStats }): StoreStats | undefined {
  if (typeof store.stats !== 'function') return undefined
  try {
    return { ...store.stats() }
  } catch {
    return undefined // counters are a courtesy: a broken one never breaks cache.stats()
  }
}
