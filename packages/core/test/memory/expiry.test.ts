import { describe, expect, test } from 'vitest'
import { memory } from '../../src/index.js'
import { fakeClock } from './helpers.js'

// The expiry rules every local tier shares are in local-tier-contract.ts.
describe('expiry', () => {
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
})
