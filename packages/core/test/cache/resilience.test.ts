import { describe, expect, test } from 'vitest'
import {
  createCache,
  memory,
  memoryStore,
  type RemoteStore,
  TimeoutError,
} from '../../src/index.js'
import { fakeClock, switchableStore } from './helpers.js'

describe('per-tier timeout and circuit breaker', () => {
  test('a hanging tier is a counted miss within tierTimeout, not a hung caller', async () => {
    const hanging: RemoteStore = {
      ...memoryStore(),
      name: 'hanging',
      get: () => new Promise(() => undefined),
    }
    const healthy = memoryStore()
    await createCache({ tiers: [healthy] }).set('k', 'v')
    const cache = createCache({ tiers: [hanging, healthy], tierTimeout: 30 })
    const errors: unknown[] = []
    cache.on('error', (event) => errors.push(event.error))
    const started = performance.now()
    expect(await cache.get('k')).toBe('v')
    expect(performance.now() - started).toBeLessThan(1_000)
    expect(TimeoutError.isInstance(errors[0])).toBe(true)
  })

  test('opens after consecutive failures, skips the tier, and closes after a good probe', async () => {
    const clock = fakeClock()
    const flaky = switchableStore(memoryStore({ clock: clock.now }))
    let calls = 0
    const get = flaky.store.get
    flaky.store.get = (key) => {
      calls++
      return get(key)
    }
    const cache = createCache({
      tiers: [flaky.store],
      clock: clock.now,
      circuitBreaker: { failureThreshold: 3, cooldown: '10s' },
    })
    const states: string[] = []
    cache.on('circuit', (event) => states.push(`${event.previous}->${event.state}`))
    flaky.setDown(true)
    for (let i = 0; i < 10; i++) expect(await cache.get('k')).toBeUndefined()
    expect(calls).toBe(3)
    expect(states).toEqual(['closed->open'])
    flaky.setDown(false)
    clock.advance(10_000)
    await cache.set('k', 'back')
    expect(await cache.get('k')).toBe('back')
    expect(states).toEqual(['closed->open', 'open->half-open', 'half-open->closed'])
    expect(cache.stats().tiers[0]?.errors).toBe(10)
  })

  test('an open circuit on one tier leaves the other tiers serving', async () => {
    const down = switchableStore()
    const cache = createCache({
      tiers: [memory(), down.store, memoryStore()],
      circuitBreaker: { failureThreshold: 1 },
    })
    down.setDown(true)
    await cache.set('k', 'v')
    expect(await cache.getOrSet('other', () => 'loaded')).toBe('loaded')
    expect(await cache.get('k')).toBe('v')
  })
})
