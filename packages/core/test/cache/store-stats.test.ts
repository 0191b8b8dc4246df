import { describe, expect, test } from 'vitest'
import { createCache, memory, memoryStore, type RemoteStore } from '../../src/index.js'

/** A memory store that counts its writes and reports them as its own stats. */
function countingStore(stats: () => Record<string, number>): RemoteStore {
  const store = memoryStore()
  return Object.assign(Object.create(store) as RemoteStore, { stats })
}

describe('stores own stats in cache.stats().tiers', () => {
  test('each remote tier shows its store counters, read at the call; the local tier none', async () => {
    let writes = 0
    const store = countingStore(() => ({ entries: writes, writes }))
    const cache = createCache({ tiers: [memory(), store, memoryStore()] })
    await cache.set('a', 1)
    writes = 1
    const stats = cache.stats()
    expect(stats.tiers.map((tier) => tier.store)).toEqual([
      undefined,
      { entries: 1, writes: 1 },
      undefined,
    ])
    writes = 2
    expect(stats.tiers[1]?.store).toEqual({ entries: 1, writes: 1 }) // a snapshot
    expect(cache.stats().tiers[1]?.store).toEqual({ entries: 2, writes: 2 })
  })

  test('a store whose stats() throws leaves its tier without store counters', () => {
    const store = countingStore(() => {
      throw new Error('broken counter')
    })
    const cache = createCache({ tiers: [store] })
    expect(cache.stats().tiers[0]).toEqual({
      name: 'memory-store',
      hits: 0,
      staleHits: 0,
      misses: 0,
      errors: 0,
    })
  })
})
