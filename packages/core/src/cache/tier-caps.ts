import type { CacheEntry } from '../entry.js'
import type { CacheRuntime } from './runtime.js'

/**
 * Per-tier TTL caps (`tiers: [memory(), { store, maxTtl }]`): a tier with a cap holds
 * every entry for at most `maxTtl` from the moment it is written there (a write, a
 * backfill, a write-behind job, a loader's result). Its copy has its deadlines clipped:
 * `staleUntil` (the physical expiry the tier gets) to now + `maxTtl`, and `freshUntil`
 * to no later than that. Other tiers keep the entry's own deadlines, so a read that
 * misses the capped tier can still be answered below it.
 */

/** A tier's cap in ms when it has none. */
export const NO_CAP = Number.POSITIVE_INFINITY

/**
 * `entry` as a tier capped at `maxTtl` ms holds it when written at `now`; the same
 * object when it already ends within the cap (no allocation on uncapped writes).
 */
export function capEntry(entry: CacheEntry, maxTtl: number, now: number): CacheEntry {
  const limit = now + maxTtl
  if (entry.staleUntil <= limit) return entry
  const { value, createdAt, tags, loadTime } = entry
  const freshUntil = Math.min(entry.freshUntil, limit)
  // The same fields in the same order as a built entry, so the memory tier unpacks it.
  return loadTime === undefined
    ? { value, createdAt, freshUntil, staleUntil: limit, tags }
    : { value, createdAt, freshUntil, staleUntil: limit, tags, loadTime }
}

/** Stores `entry` in the cache's local tier, if any, clipped to that tier's `maxTtl`. */
export function setLocal(rt: CacheRuntime, fullKey: string, entry: CacheEntry): void {
  const local = rt.local
  if (local === undefined) return
  const cap = rt.options.tierCaps.local
  const held = cap === NO_CAP ? entry : capEntry(entry, cap, rt.clock())
  local.set(fullKey, held, held.staleUntil)
}
