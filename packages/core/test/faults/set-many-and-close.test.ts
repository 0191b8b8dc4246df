/**
 * Issue 9: `setMany` honours each item's own `tiers`, and `close()` is bounded by the
 * tier timeout even when a store's `close()` (or a queued write) never answers.
 */
import { describe, expect, test } from 'vitest'
import { type CacheEntry, createCache, memory, memoryStore } from '../../src/index.js'
import { faultStore } from '../support/fault-store.js'
import { faultyCache, secondProcess, TIER_TIMEOUT } from './helpers.js'

describe('setMany applies tiers per item', () => {
  test("[{a}, {b, tiers: 'local'}]: a reaches the remote tier, b does not", async () => {
    const remote = memoryStore()
    const cache = createCache({ tiers: [memory<CacheEntry>(), remote] })
    await cache.setMany([
      { key: 'a', value: 1 },
      { key: 'b', value: 2, tiers: 'local' },
    ])
    const other = secondProcess(remote)
    expect(await other.get('a')).toBe(1)
    expect(await other.get('b')).toBeUndefined()
    expect(await cache.get('b')).toBe(2)
  })

  test("[{a, tiers: 'remote'}, {b}]: a skips the memory tier, b is in both", async () => {
    const remote = memoryStore()
    const cache = createCache({ tiers: [memory<CacheEntry>(), remote] })
    await cache.setMany([
      { key: 'a', value: 1, tiers: 'remote' },
      { key: 'b', value: 2 },
    ])
    expect(await cache.get('a', { tiers: 'local' })).toBeUndefined()
    expect(await cache.get('b', { tiers: 'local' })).toBe(2)
    const other = secondProcess(remote)
    expect(await other.getMany(['a', 'b'])).toEqual([1, 2])
  })
})

/** Settles `'closed'` when `promise` settles within `ms`, else `'hung'`. */
function within(promise: Promise<unknown>, ms: number): Promise<'closed' | 'hung'> {
  const settled = promise.then(
    () => 'closed' as const,
    () => 'closed' as const,
  )
  const hung = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), ms).unref())
  return Promise.race([settled, hung])
}

describe('close() is bounded', () => {
  // Generous on purpose: it tells a hang (forever) from a close bounded by the tier
  // timeout (the engine waits at least 1 s per store), on a loaded machine.
  const bound = 10_000

  test('a store whose close() never answers', async () => {
    const { cache, store } = faultyCache()
    store.inject({ op: 'close', fault: { kind: 'hang' } })
    expect(await within(cache.close(), bound)).toBe('closed')
  }, 15_000)

  test('two stores whose close() never answers, behind a memory tier', async () => {
    const [upper, lower] = [faultStore(memoryStore()), faultStore(memoryStore())]
    for (const store of [upper, lower]) store.inject({ op: 'close', fault: { kind: 'hang' } })
    const cache = createCache({
      tiers: [memory<CacheEntry>(), upper, lower],
      tierTimeout: TIER_TIMEOUT,
    })
    expect(await within(cache.close(), bound)).toBe('closed')
  }, 15_000)

  test('write-behind writes that never answer, then a close() that never answers', async () => {
    const { cache, store } = faultyCache({ extra: { writePolicy: 'write-behind' } })
    store.inject({ op: ['set', 'close'], fault: { kind: 'hang' } })
    for (let i = 0; i < 5; i++) await cache.set(`k${i}`, i)
    expect(await within(cache.close(), bound)).toBe('closed')
  }, 15_000)
})
