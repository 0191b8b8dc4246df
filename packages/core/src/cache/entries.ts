import { toMilliseconds } from '../duration.js'
import { type CacheEntry, NO_TAGS } from '../entry.js'
import { InvalidValueError } from '../errors.js'
import { type Policy, resolvePolicy, type SetOptions } from './options.js'

/** What a write may override of the policy: a TTL and tags. */
export interface EntryOverrides {
  readonly ttl?: SetOptions['ttl'] | undefined
  readonly tags?: SetOptions['tags'] | undefined
}

/** The policy of a `set`-like call: the cache's own unless the call overrides freshness. */
export function writePolicy(base: Policy, options: SetOptions | undefined): Policy {
  if (
    options?.ttl === undefined &&
    options?.staleWhileRevalidate === undefined &&
    options?.grace === undefined
  ) {
    return base
  }
  return resolvePolicy(base, {
    ...(options.ttl !== undefined && { ttl: options.ttl }),
    ...(options.staleWhileRevalidate !== undefined && {
      staleWhileRevalidate: options.staleWhileRevalidate,
    }),
    ...(options.grace !== undefined && { grace: options.grace }),
  })
}

/**
 * Builds the entry for `value`: fresh for the TTL from `now`, then stale for the
 * longer of stale-while-revalidate and grace; a tagged entry dies at the latest
 * `policy.maxEntryLife` after `createdAt`. `createdAt` is when the value was read from
 * its source (a loader's start), which tag invalidations are compared with.
 */
export function buildEntry(
  key: string,
  value: unknown,
  now: number,
  policy: Policy,
  overrides: EntryOverrides | undefined,
  createdAt = now,
  loadTime?: number,
): CacheEntry {
  if (value === undefined) {
    throw new InvalidValueError(
      `cannot cache undefined for key "${key}" (a read would look like a miss); use null`,
      key,
    )
  }
  const ttl = overrides?.ttl === undefined ? policy.ttl : toMilliseconds(overrides.ttl, 'ttl')
  const tags = overrides?.tags ?? NO_TAGS
  let freshUntil = now + ttl
  let staleUntil = freshUntil + Math.max(policy.staleWhileRevalidate, policy.grace)
  // A tagged entry must die before the tag timestamps that can reject it expire.
  const lastLive = createdAt + policy.maxEntryLife
  if (tags.length > 0 && staleUntil > lastLive) {
    staleUntil = lastLive
    freshUntil = Math.min(freshUntil, lastLive)
  }
  return loadTime === undefined
    ? { value, createdAt, freshUntil, staleUntil, tags }
    : { value, createdAt, freshUntil, staleUntil, tags, loadTime }
}

/** A loader must not resolve `undefined`: it would read back as a miss. */
export function checkLoaded(key: string, value: unknown): void {
  if (value === undefined) {
    throw new InvalidValueError(
      `the loader for key "${key}" resolved undefined; return null to cache an absence`,
      key,
    )
  }
}
