import { createCache, memory, type RemoteStore } from '@stack/core'
import { expect, test } from 'vitest'

/**
 * Registers a test that a store works as the remote tier of a `createCache` chain and keeps
 * entries across a restart: a fresh cache (empty memory tier, new store from `createTier`)
 * reads the entry back instead of loading it again.
 *
 * @example
 * ```ts
 * testChainAcrossRestart(() => fileStore({ directory }))
 * ```
 */
export function testChainAcrossRestart(createTier: () => RemoteStore): void {
  test('works as the remote tier of a createCache chain, across a restart', async () => {
    const cache = createCache({ tiers: [memory(), createTier()], ttl: '5m' })
    let loads = 0
    const load = async () => {
      loads++
      return { rows: Array.from({ length: 100 }, (_, index) => ({ index, label: `row ${index}` })) }
    }
    const first = await cache.getOrSet('report:q4', load)
    expect(await cache.getOrSet('report:q4', load)).toEqual(first)
    await cache.close()

    const restarted = createCache({ tiers: [memory(), createTier()], ttl: '5m' })
    expect(await restarted.getOrSet('report:q4', load)).toEqual(first)
    expect(loads).toBe(1)
    await restarted.clear()
    await restarted.close()
  })
}
