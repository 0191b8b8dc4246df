import { describe, expect, test } from 'vitest'
import { createCache, memory } from '../../src/index.js'
import { fakeClock } from './helpers.js'

/** 1970-01-01T00:16:40Z: every entry written at this time is long dead by `Date.now`. */
const FAR_PAST = 1_000_000
/** 2200-01-01: an entry written at this time lives for centuries by `Date.now`. */
const FAR_FUTURE = 7_258_118_400_000

describe('a clock given only to createCache reaches its memory tier', () => {
  test('far in the past: entries are held and expire by the fake clock', async () => {
    const clock = fakeClock(FAR_PAST)
    const local = memory()
    const cache = createCache({ tiers: [local], clock: clock.now, ttl: '1m' })
    await cache.set('k', 'v')
    expect(local.peek('#k')?.value).toBe('v')
    expect(await cache.get('k')).toBe('v')
    expect(cache.getOrSetSync('sync', () => 'loaded')).toBe('loaded')
    expect(cache.getOrSetSync('sync', () => 'again')).toBe('loaded')
    clock.advance(60_000)
    expect(await cache.get('k')).toBeUndefined()
    expect(local.has('#k')).toBe(false)
  })

  test('far in the future: entries die when the fake clock passes their expiry', async () => {
    const clock = fakeClock(FAR_FUTURE)
    const local = memory()
    const cache = createCache({ tiers: [local], clock: clock.now, ttl: '1m', grace: '1m' })
    await cache.set('k', 'v')
    clock.advance(90_000) // stale: still held for grace
    expect(local.has('#k')).toBe(true)
    clock.advance(30_000) // past staleUntil
    expect(local.has('#k')).toBe(false)
    expect(local.peek('#k')).toBeUndefined()
    expect([...local.keys()]).toEqual([])
    expect(local.prune()).toBe(1)
    expect(local.size).toBe(0)
  })

  test('the zero-config memory tier follows the cache clock too', async () => {
    const clock = fakeClock(FAR_PAST)
    const cache = createCache({ clock: clock.now })
    await cache.set('k', 'v')
    expect(await cache.get('k')).toBe('v')
  })

  test("a tier's own clock option wins over the cache's", async () => {
    const tierClock = fakeClock(FAR_FUTURE)
    const cacheClock = fakeClock(FAR_FUTURE)
    const local = memory({ clock: tierClock.now })
    const cache = createCache({ tiers: [local], clock: cacheClock.now, ttl: '1m' })
    await cache.set('k', 'v')
    cacheClock.advance(120_000)
    expect(local.has('#k')).toBe(true) // the tier's clock has not moved
    tierClock.advance(120_000)
    expect(local.has('#k')).toBe(false)
  })
})
