import { describe, expect, test } from 'vitest'
import { createCache, InvalidOptionError } from '../../src/index.js'
import { fakeClock } from './helpers.js'

describe('createCache() without options', () => {
  test('is a memory-only cache', async () => {
    for (const cache of [createCache(), createCache({})]) {
      expect(cache.isLocalOnly).toBe(true)
      expect(cache.stats().tiers.map((tier) => tier.name)).toEqual(['memory'])
      await cache.set('k', { a: 1 })
      expect(await cache.get('k')).toEqual({ a: 1 })
      expect(cache.getOrSetSync('sync', () => 2)).toBe(2)
      await cache.close()
    }
  })

  test('entries are fresh for the default 5 minutes, then gone', async () => {
    const clock = fakeClock()
    const cache = createCache({ clock: clock.now })
    await cache.set('k', 'v')
    clock.advance(300_000 - 1)
    expect(await cache.get('k')).toBe('v')
    clock.advance(1)
    expect(await cache.get('k')).toBeUndefined()
    let calls = 0
    await cache.getOrSet('k', () => ++calls)
    expect(calls).toBe(1)
  })

  test('the default memory tier holds at most 10,000 entries', async () => {
    const cache = createCache()
    let evicted = 0
    cache.on('evict', ({ reason }) => {
      if (reason === 'capacity') evicted++
    })
    const keys = Array.from({ length: 10_100 }, (_, i) => `k${i}`)
    for (const key of keys) await cache.set(key, 1)
    const held = (await cache.getMany(keys)).filter((value) => value !== undefined).length
    expect(held).toBeLessThanOrEqual(10_000)
    expect(held).toBeGreaterThan(9_000)
    expect(evicted).toBe(keys.length - held)
  })

  test('an explicit empty tier list, or a non-object, is still refused', () => {
    expect(() => createCache({ tiers: [] })).toThrow(InvalidOptionError)
    expect(() => createCache({ tiers: [] })).toThrow(/leave it out/)
    expect(() => createCache(null as never)).toThrow(InvalidOptionError)
  })
})
