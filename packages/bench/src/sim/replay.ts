import { type EvictionPolicyName, memory } from '@stack/core'
import { LRUCache } from 'lru-cache'
import type { Trace } from './traces.js'

/** Key strings for ids, built once per trace so replays do not allocate them. */
export function keyNames(trace: Trace): string[] {
  return Array.from({ length: trace.idSpace }, (_, id) => `key:${id}`)
}

const VALUE = true

/**
 * Replays `trace` through a real `MemoryTier` with `policy`: each request is a `get`,
 * and a miss is followed by a `set`, as a read-through cache does. Returns the hits.
 */
export function memoryTierHits(
  trace: Trace,
  names: readonly string[],
  capacity: number,
  policy: EvictionPolicyName,
): number {
  const tier = memory<boolean>({ maxEntries: capacity, policy })
  for (const id of trace.requests) {
    const key = names[id] as string
    if (tier.get(key) === undefined) tier.set(key, VALUE)
  }
  const { hits } = tier.stats()
  tier.close()
  return hits
}

/** Replays `trace` through lru-cache 11 the same way. */
export function lruCacheHits(trace: Trace, names: readonly string[], capacity: number): number {
  const cache = new LRUCache<string, boolean>({ max: capacity })
  let hits = 0
  for (const id of trace.requests) {
    const key = names[id] as string
    if (cache.get(key) === undefined) cache.set(key, VALUE)
    else hits++
  }
  return hits
}
