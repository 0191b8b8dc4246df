import type { TierStats } from '../stats.js'
import { localHit, miss, remoteHit } from './hits.js'
import type { GetOptions } from './options.js'
import { validateGetOptions } from './options.js'
import type { Found } from './reads.js'
import type { CacheRuntime } from './runtime.js'

/**
 * What `getEntry` answers: a fresh value with its lifetime, its tags, and the tier that
 * answered.
 */
export interface EntryInfo<T = unknown> {
  readonly value: T
  /** When the value was read from its source (a loader's start, or the write), epoch ms. */
  readonly createdAt: number
  /**
   * When it stops being fresh, epoch ms: the entry's own `freshUntil`, or earlier when
   * `expireTags` made it stale from then on.
   */
  readonly freshUntil: number
  /** When the answering tier drops it (the end of its stale window), epoch ms. */
  readonly staleUntil: number
  readonly tags: readonly string[]
  /**
   * The position in the cache's `tiers` list of the tier that answered (`0` is the
   * fastest); `stats().tiers[tier]` is its counters.
   */
  readonly tier: number
  /** That tier's name, as in `stats().tiers` and `hit` events. */
  readonly tierName: string
}

/** `get` past the local fast path (which the facade ran when `options` is undefined). */
export function readThrough(
  rt: CacheRuntime,
  key: string,
  fullKey: string,
  options: GetOptions | undefined,
): Promise<unknown> {
  if (options === undefined) return readRemoteValue(rt, key, fullKey)
  return readFresh(rt, key, fullKey, options, false, 'get').then(foundValue)
}

const foundValue = (found: Found | undefined): unknown => found?.entry.value

/**
 * {@link readFresh} of a `get` without options whose local lookup missed, answering the
 * value itself: the most common remote read, answered in the promise turn that decodes
 * the store's reply.
 */
function readRemoteValue(rt: CacheRuntime, key: string, fullKey: string): Promise<unknown> {
  if (!rt.enabled) {
    miss(rt, key)
    return Promise.resolve(undefined)
  }
  if (rt.localStats !== undefined) rt.localStats.misses++
  return rt.reads.readRemotesThen(fullKey, undefined, (found) => {
    if (found !== undefined && rt.clock() < found.freshUntil) return remoteHit(rt, key, found)
    miss(rt, key)
    return undefined
  })
}

/** `getEntry`: what `get` would serve, with its metadata and the tier that answered. */
export async function readEntry(
  rt: CacheRuntime,
  key: string,
  fullKey: string,
  options: GetOptions | undefined,
): Promise<EntryInfo | undefined> {
  const found = await readFresh(rt, key, fullKey, options, false, 'getEntry')
  if (found === undefined) return undefined
  const { entry, freshUntil } = found
  const tier = found.tier + (rt.local === undefined ? 0 : 1)
  return {
    value: entry.value,
    createdAt: entry.createdAt,
    freshUntil,
    staleUntil: entry.staleUntil,
    tags: entry.tags,
    tier,
    tierName: (rt.stats.tiers[tier] as TierStats).name,
  }
}

/**
 * The fresh entry `get` serves: the local tier (unless `localChecked`: the caller's
 * fast path already missed there), then the remote tiers, backfilling what they find.
 * Counts and emits the hit or miss. Stale entries are never returned.
 */
async function readFresh(
  rt: CacheRuntime,
  key: string,
  fullKey: string,
  options: GetOptions | undefined,
  localChecked: boolean,
  method: string,
): Promise<Found | undefined> {
  if (options !== undefined) validateGetOptions(options, method)
  if (!rt.enabled) {
    miss(rt, key)
    return undefined
  }
  const tiers = options?.tiers ?? 'all'
  if (tiers !== 'remote' && rt.local !== undefined) {
    if (!localChecked) {
      const now = rt.clock()
      const entry = rt.local.get(fullKey, now)
      const freshUntil = entry === undefined ? now : rt.freshUntil(entry, fullKey)
      if (entry !== undefined && now < freshUntil && (options?.validate?.(entry) ?? true)) {
        localHit(rt, key, entry)
        return { entry, tier: -1, freshUntil }
      }
    }
    ;(rt.localStats as TierStats).misses++
  }
  if (tiers !== 'local') {
    const found = await rt.reads.readRemotes(fullKey, options?.validate)
    if (found !== undefined && rt.clock() < found.freshUntil) {
      remoteHit(rt, key, found)
      return found
    }
  }
  miss(rt, key)
  return undefined
}

/** `has`: a fresh entry in some tier, touching neither recency nor stats, backfilling nothing. */
export async function hasFresh(rt: CacheRuntime, fullKey: string): Promise<boolean> {
  if (!rt.enabled) return false
  const entry = rt.local?.peek(fullKey)
  if (entry !== undefined && rt.clock() < rt.freshUntil(entry, fullKey)) return true
  for (let i = 0; i < rt.remotes.length; i++) {
    const remote = await rt.reads.readTier(i, fullKey)
    if (remote !== undefined && rt.clock() < rt.freshUntil(remote, fullKey)) return true
  }
  return false
}

/** `getMany`: the local tier, then one batch call per remote tier for the keys still missing. */
export async function readMany(
  rt: CacheRuntime,
  keys: readonly string[],
  fullKeys: readonly string[],
): Promise<unknown[]> {
  if (!rt.enabled) {
    for (const key of keys) miss(rt, key)
    return fullKeys.map(() => undefined)
  }
  const now = rt.clock()
  const found: (Found | undefined)[] = fullKeys.map((fullKey) => {
    const entry = rt.local?.get(fullKey, now)
    if (entry === undefined) return undefined
    const freshUntil = rt.freshUntil(entry, fullKey)
    return now < freshUntil ? { entry, tier: -1, freshUntil } : undefined
  })
  if (rt.localStats) {
    for (const hit of found) hit === undefined ? rt.localStats.misses++ : rt.localStats.hits++
  }
  await rt.reads.readRemotesMany(fullKeys, found)
  return found.map((hit, index) => {
    if (hit !== undefined) {
      rt.stats.hits++
      return hit.entry.value
    }
    miss(rt, keys[index] as string)
    return undefined
  })
}
