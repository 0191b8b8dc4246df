import { localHit, miss, remoteHit } from './hits.js'
import type { GetOptions } from './options.js'
import { validateGetOptions } from './options.js'
import type { Found } from './reads.js'
import type { CacheRuntime } from './runtime.js'

/** `get` past the local fast path: options, the local tier, then the remote tiers. */
export async function readThrough(
  rt: CacheRuntime,
  key: string,
  fullKey: string,
  options: GetOptions | undefined,
): Promise<unknown> {
  if (options !== undefined) validateGetOptions(options, 'get')
  if (!rt.enabled) {
    miss(rt, key)
    return undefined
  }
  const tiers = options?.tiers ?? 'all'
  if (tiers !== 'remote' && rt.local !== undefined) {
    if (options !== undefined) {
      const now = rt.clock()
      const entry = rt.local.get(fullKey, now)
      if (
        entry !== undefined &&
        now < rt.freshUntil(entry, fullKey) &&
        (options.validate?.(entry) ?? true)
      ) {
        return localHit(rt, key, entry)
      }
    }
    ;(rt.localStats as NonNullable<typeof rt.localStats>).misses++
  }
  if (tiers !== 'local') {
    const found = await rt.reads.readRemotes(fullKey, options?.validate)
    if (found !== undefined && rt.clock() < found.freshUntil) return remoteHit(rt, key, found)
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
