import { describe, expect, test } from 'vitest'
import { InvalidOptionError, memory } from '../../src/index.js'
import { evictions, fakeClock } from './helpers.js'

describe('expiry', () => {
  test('an entry is live before expiresAt and dead exactly at it', () => {
    const clock = fakeClock()
    const tier = memory<string>({ clock: clock.now })
    tier.set('k', 'v', clock.now() + 100)
    clock.advance(99)
    expect(tier.get('k')).toBe('v')
    expect(tier.peek('k')).toBe('v')
    expect(tier.has('k')).toBe(true)
    clock.advance(1)
    expect(tier.peek('k')).toBeUndefined()
    expect(tier.has('k')).toBe(false)
    expect([...tier.keys()]).toEqual([])
    expect(tier.get('k')).toBeUndefined()
    expect(tier.stats()).toMatchObject({ hits: 1, misses: 1, expirations: 1, entries: 0 })
  })

  test('an expiry at or before now deletes the key instead of storing', () => {
    const clock = fakeClock()
    const recorded = evictions<string>()
    const tier = memory<string>({ clock: clock.now, onEvict: recorded.listener })
    tier.set('k', 'old')
    tier.set('k', 'new', clock.now())
    expect(tier.get('k')).toBeUndefined()
    tier.set('j', 'never stored', clock.now() - 1)
    expect(tier.size).toBe(0)
    expect(recorded.calls).toEqual([['k', 'old', 'deleted']])
  })

  test('Infinity and a missing expiresAt mean never, without reading the clock on a hit', () => {
    const clock = fakeClock()
    const tier = memory<string>({ clock: clock.now })
    tier.set('a', 'v')
    tier.set('b', 'v', Number.POSITIVE_INFINITY)
    const calls = clock.calls
    clock.advance(10 ** 12)
    expect(tier.get('a')).toBe('v')
    expect(tier.get('b')).toBe('v')
    expect(clock.calls).toBe(calls)
  })

  test("get(key, now) judges expiry by the caller's time without reading the clock", () => {
    const clock = fakeClock()
    const tier = memory<string>({ clock: clock.now })
    const start = clock.now()
    tier.set('k', 'v', start + 10)
    const calls = clock.calls
    expect(tier.get('k', start + 9)).toBe('v')
    expect(clock.calls).toBe(calls)
    expect(tier.get('k', start + 10)).toBeUndefined()
    expect(tier.has('k')).toBe(false)
  })

  test('ttl is the default lifetime; an explicit expiresAt wins', () => {
    const clock = fakeClock()
    const tier = memory<string>({ clock: clock.now, ttl: '1s' })
    tier.set('default', 'v')
    tier.set('explicit', 'v', clock.now() + 5_000)
    clock.advance(1_000)
    expect(tier.get('default')).toBeUndefined()
    expect(tier.get('explicit')).toBe('v')
  })

  test('maxTtl clamps every expiry, Infinity included', () => {
    const clock = fakeClock()
    const tier = memory<string>({ clock: clock.now, maxTtl: 1_000 })
    tier.set('forever', 'v')
    tier.set('long', 'v', clock.now() + 60_000)
    tier.set('short', 'v', clock.now() + 500)
    clock.advance(500)
    expect(tier.get('short')).toBeUndefined()
    expect(tier.get('long')).toBe('v')
    clock.advance(500)
    expect(tier.get('forever')).toBeUndefined()
    expect(tier.get('long')).toBeUndefined()
  })

  test('an overwrite replaces the expiry, including with never', () => {
    const clock = fakeClock()
    const tier = memory<string>({ clock: clock.now })
    tier.set('a', 'v1', clock.now() + 10)
    tier.set('a', 'v2')
    tier.set('b', 'v1')
    tier.set('b', 'v2', clock.now() + 10)
    tier.set('c', 'v1', clock.now() + 10)
    tier.set('c', 'v2', clock.now() + 1_000)
    clock.advance(10)
    expect(tier.get('a')).toBe('v2')
    expect(tier.get('b')).toBeUndefined()
    expect(tier.get('c')).toBe('v2')
    expect(tier.prune()).toBe(0)
  })

  test('expired keys nobody reads again are swept by later writes', () => {
    const clock = fakeClock()
    const tier = memory<number>({ clock: clock.now, maxEntries: 1_000_000 })
    for (let round = 0; round < 50; round++) {
      for (let index = 0; index < 1_000; index++) {
        tier.set(`round${round}:${index}`, index, clock.now() + 10)
      }
      expect(tier.size).toBeLessThanOrEqual(1_000)
      clock.advance(20)
    }
    expect(tier.stats().expirations).toBe(49_000)
  })

  test('writes of non-expiring keys sweep expired ones too', () => {
    const clock = fakeClock()
    const tier = memory<number>({ clock: clock.now })
    for (let index = 0; index < 800; index++) tier.set(`short${index}`, index, clock.now() + 1)
    clock.advance(1)
    for (let index = 0; index < 100; index++) tier.set(`long${index}`, index)
    expect(tier.size).toBe(100)
  })

  test('prune removes every expired entry at once', () => {
    const clock = fakeClock()
    const recorded = evictions<number>()
    const tier = memory<number>({ clock: clock.now, onEvict: recorded.listener })
    for (let index = 0; index < 100; index++) tier.set(`k${index}`, index, clock.now() + index + 1)
    clock.advance(50)
    expect(tier.prune()).toBe(50)
    expect(tier.size).toBe(50)
    expect(recorded.calls.every(([, , reason]) => reason === 'expired')).toBe(true)
    expect(recorded.calls.map(([, value]) => value)).toEqual(
      Array.from({ length: 50 }, (_, i) => i),
    )
  })

  test('expired entries are swept before live ones are evicted for room', () => {
    const clock = fakeClock()
    const tier = memory<number>({ clock: clock.now, maxEntries: 3, policy: 'lru' })
    tier.set('live1', 1)
    tier.set('dead', 2, clock.now() + 1)
    tier.set('live2', 3)
    clock.advance(1)
    tier.set('live3', 4)
    expect([...tier.keys()].sort()).toEqual(['live1', 'live2', 'live3'])
    expect(tier.stats()).toMatchObject({ evictions: 0, expirations: 1 })
  })

  test('a bad expiresAt is rejected', () => {
    const tier = memory<string>()
    expect(() => tier.set('k', 'v', Number.NaN)).toThrow(InvalidOptionError)
    expect(() => tier.set('k', 'v', '5' as unknown as number)).toThrow(InvalidOptionError)
  })

  test('the default clock is Date.now', () => {
    const tier = memory<string>()
    tier.set('past', 'v', Date.now() - 1)
    tier.set('future', 'v', Date.now() + 60_000)
    expect(tier.has('past')).toBe(false)
    expect(tier.has('future')).toBe(true)
  })
})
