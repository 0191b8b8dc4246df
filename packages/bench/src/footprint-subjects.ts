/** What the footprint benchmark measures: each subject filled with the same entries. */
import { createCache, type EvictionPolicyName, memory } from '@stack/core'
import { BentoCache, bentostore } from 'bentocache'
import { memoryDriver } from 'bentocache/drivers/memory'
import { createCache as createCacheManager } from 'cache-manager'
import { LRUCache } from 'lru-cache'

const TTL_MS = 3_600_000
const POLICIES: readonly EvictionPolicyName[] = ['lru', 'lfu', 'fifo', 'tinylfu']

/** Subject names, in table order. */
export const FOOTPRINT_SUBJECTS: readonly string[] = [
  'Map',
  'lru-cache',
  'cache-manager',
  'bentocache',
  ...POLICIES.map((policy) => `createCache(memory ${policy})`),
  ...POLICIES.map((policy) => `memory() ${policy}`),
]

/** Builds `subject`, stores every `keys[i] -> values[i]` with a one-hour TTL, returns it. */
export async function fillSubject(
  subject: string,
  keys: readonly string[],
  values: readonly object[],
): Promise<unknown> {
  const entries = keys.length
  const policy = POLICIES.find(
    (name) => subject.endsWith(` ${name})`) || subject.endsWith(` ${name}`),
  )
  if (subject === 'Map') {
    const map = new Map<string, object>()
    for (let i = 0; i < entries; i++) map.set(keys[i] as string, values[i] as object)
    return map
  }
  if (subject === 'lru-cache') {
    const cache = new LRUCache<string, object>({ max: entries, ttl: TTL_MS })
    for (let i = 0; i < entries; i++) cache.set(keys[i] as string, values[i] as object)
    return cache
  }
  if (subject === 'cache-manager') {
    const manager = createCacheManager()
    for (let i = 0; i < entries; i++) await manager.set(keys[i] as string, values[i], TTL_MS)
    return manager
  }
  if (subject === 'bentocache') {
    const bento = new BentoCache({
      default: 'memory',
      stores: { memory: bentostore().useL1Layer(memoryDriver({ maxItems: entries })) },
    })
    for (let i = 0; i < entries; i++) {
      await bento.set({ key: keys[i] as string, value: values[i], ttl: TTL_MS })
    }
    return bento
  }
  if (policy !== undefined && subject.startsWith('createCache')) {
    const cache = createCache({ tiers: [memory({ maxEntries: entries, policy })], ttl: TTL_MS })
    for (let i = 0; i < entries; i++) await cache.set(keys[i] as string, values[i])
    return cache
  }
  if (policy !== undefined) {
    const tier = memory<object>({ maxEntries: entries, policy, ttl: TTL_MS })
    for (let i = 0; i < entries; i++) tier.set(keys[i] as string, values[i] as object)
    return tier
  }
  throw new Error(`unknown footprint subject ${subject}`)
}
