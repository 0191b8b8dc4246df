import { type Duration, toMilliseconds } from '../duration.js'
import type { CacheEntry } from '../entry.js'
import { InvalidOptionError } from '../errors.js'
import type { Policy } from './options.js'
import { MAX_TAG_CLOCK_SKEW } from './tag-records.js'

/**
 * The bound between tag timestamps and tagged entries: no tagged entry lives longer
 * than `maxEntryLife` from its `createdAt`, and a tag timestamp is kept at least that
 * long after the change it records, so a stored timestamp outlives every entry it can
 * still reject (see docs/engine.md, "Tags").
 */

/** `maxEntryLife` is at least this by default, so per-call TTLs up to a day are not cut. */
export const DEFAULT_MAX_ENTRY_LIFE_FLOOR_MS = 86_400_000

/** The cache's `maxEntryLife` in ms, given its resolved freshness policy. */
export function resolveMaxEntryLife(value: Duration | undefined, policy: Policy): number {
  const ownLife = policy.ttl + Math.max(policy.staleWhileRevalidate, policy.grace)
  if (value === undefined) return Math.max(ownLife, DEFAULT_MAX_ENTRY_LIFE_FLOOR_MS)
  const maxEntryLife = toMilliseconds(value, 'maxEntryLife')
  if (maxEntryLife < ownLife) {
    throw new InvalidOptionError(
      'maxEntryLife',
      `maxEntryLife (${maxEntryLife} ms) is shorter than the cache's own entry life, ttl + max(staleWhileRevalidate, grace) = ${ownLife} ms`,
    )
  }
  return maxEntryLife
}

/**
 * `entry` as a reader must treat it: a tagged entry is dead from `createdAt +
 * maxEntryLife` on, whatever life its writer gave it (an older version, another
 * configuration), because the tag timestamps that could reject it may be gone by then.
 */
export function capEntryLife(entry: CacheEntry, maxEntryLife: number): CacheEntry {
  if (entry.tags.length === 0) return entry
  const lastLive = entry.createdAt + maxEntryLife
  if (entry.staleUntil <= lastLive) return entry
  return { ...entry, freshUntil: Math.min(entry.freshUntil, lastLive), staleUntil: lastLive }
}

/**
 * When the stored timestamp of a tag change made at `at` may expire: after every entry
 * created up to `at` is dead, plus the clock skew tolerated between processes.
 */
export function tagRecordExpiry(at: number, maxEntryLife: number): number {
  return at + maxEntryLife + MAX_TAG_CLOCK_SKEW
}
