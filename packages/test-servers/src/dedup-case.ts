import { createCache, type RemoteStore } from '@stack/core'
import { splitEnvelope } from '@stack/core/store-kit'
import { describe, expect, test } from 'vitest'

/** How {@link runDedupThroughCache} makes the store under test. */
export interface DedupCaseOptions {
  /** The store's name, for the test titles. */
  readonly name: string
  /**
   * A store with write deduplication on, on the real test server. Stores from one call
   * share their backend and namespace (a second process of one application); each test
   * passes its own `namespace` string, to keep its keys apart.
   */
  readonly createStore: (namespace: string) => RemoteStore
}

const createdAtOf = (envelope: Uint8Array) =>
  new DataView(envelope.buffer, envelope.byteOffset, envelope.byteLength).getFloat64(24, true)
const staleUntilOf = (envelope: Uint8Array) =>
  new DataView(envelope.buffer, envelope.byteOffset, envelope.byteLength).getFloat64(40, true)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function onlyKey(store: RemoteStore): Promise<string> {
  const keys: string[] = []
  for await (const key of store.keys?.('') ?? []) keys.push(key)
  expect(keys).toHaveLength(1)
  return keys[0] as string
}

/** A value large enough that uploading it again is the cost being saved. */
function report(seed: string) {
  return { seed, rows: Array.from({ length: 2_000 }, (_, i) => `${seed}-row-${i}`) }
}

/**
 * Registers tests that a store's write deduplication works through a real cache: two
 * identical `cache.set`s write the value once, the second set's lifetime is the one
 * stored and served (also after the first one's expiry), a changed value is written in
 * full, and a second process reads exactly what the last set wrote. Counts come from the
 * store's own `stats()` (`writes`, `dedupedWrites`).
 *
 * @example
 * ```ts
 * runDedupThroughCache({ name: 's3', createStore: (ns) => testStore({ prefix: `${ns}/`, dedupeWrites: true }) })
 * ```
 */
export function runDedupThroughCache(options: DedupCaseOptions): void {
  describe(`${options.name}: write deduplication through the cache`, () => {
    test('two identical cache.set write the value once; the second lifetime is stored and served', async () => {
      const store = options.createStore('dedup-twice')
      expect(store.capabilities.dedupeWrites).toBe(true)
      const cache = createCache({ tiers: [store] })
      await cache.set('report', report('a'), { ttl: '300ms' })
      const key = await onlyKey(store)
      const first = (await store.get(key)) as Uint8Array
      await sleep(5) // a later createdAt
      await cache.set('report', report('a'), { ttl: '1h' })
      expect(store.stats?.()).toMatchObject({ writes: 1, dedupedWrites: 1 })
      expect(cache.stats().tiers[0]?.store).toMatchObject({ writes: 1, dedupedWrites: 1 })

      const second = (await store.get(key)) as Uint8Array
      expect(createdAtOf(second)).toBeGreaterThan(createdAtOf(first))
      expect(staleUntilOf(second)).toBeGreaterThan(Date.now() + 3_000_000)
      expect(splitEnvelope(second)?.payload).toEqual(splitEnvelope(first)?.payload)

      await sleep(400) // past the first set's expiry: the second one's holds
      const other = options.createStore('dedup-twice')
      const otherCache = createCache({ tiers: [other] })
      expect(await otherCache.get('report')).toEqual(report('a'))
      expect(await other.get(key)).toEqual(second)
      await store.clear('')
      await cache.close()
      await otherCache.close()
    })

    test('a changed value is written in full and served', async () => {
      const store = options.createStore('dedup-changed')
      const cache = createCache({ tiers: [store] })
      await cache.set('report', report('a'), { ttl: '1h' })
      await cache.set('report', report('b'), { ttl: '1h' })
      await cache.set('report', report('b'), { ttl: '2h' })
      expect(store.stats?.()).toMatchObject({ writes: 2, dedupedWrites: 1 })
      const otherCache = createCache({ tiers: [options.createStore('dedup-changed')] })
      expect(await otherCache.get('report')).toEqual(report('b'))
      await store.clear('')
      await cache.close()
      await otherCache.close()
    })

    test('concurrent sets of old and new values from two processes: the value read is one of them, whole', async () => {
      const a = createCache({ tiers: [options.createStore('dedup-race')] })
      const b = createCache({ tiers: [options.createStore('dedup-race')] })
      const values = [report('a'), report('b')]
      await a.set('report', values[0], { ttl: '1h' })
      for (let round = 0; round < 5; round++) {
        await Promise.all([
          a.set('report', values[round % 2], { ttl: '1h' }),
          b.set('report', values[(round + 1) % 2], { ttl: '1h' }),
          a.set('report', values[round % 2], { ttl: '2h' }),
        ])
        const reader = createCache({ tiers: [options.createStore('dedup-race')] })
        expect(values).toContainEqual(await reader.get('report'))
        expect(reader.stats().errors).toBe(0)
        await reader.close()
      }
      await a.clear()
      await a.close()
      await b.close()
    })
  })
}
