import type { Histogram } from '@opentelemetry/sdk-metrics'
import {
  createCache,
  InvalidOptionError,
  memory,
  memoryStore,
  type RemoteStore,
  StoreUnavailableError,
} from '@stack/core'
import { afterEach, describe, expect, test } from 'vitest'
import { stackOtel } from '../src/index.js'
import { metricHarness } from './harness.js'

const harnesses: { shutdown: () => Promise<void> }[] = []
function setup() {
  const harness = metricHarness()
  harnesses.push(harness)
  return { harness, otel: stackOtel({ meterProvider: harness.meterProvider, traces: false }) }
}
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((harness) => harness.shutdown()))
})

function fakeClock() {
  let now = Date.now()
  return {
    now: () => now,
    advance(ms: number) {
      now += ms
    },
  }
}

/** A remote tier whose backend is down: every call fails. */
function downStore(): RemoteStore {
  const fail = () => Promise.reject(new StoreUnavailableError('down', 'unreachable'))
  return {
    name: 'down',
    contractVersion: 1,
    capabilities: { batch: false, add: false, keys: false, ttlGranularity: 'ms' },
    get: fail,
    set: fail,
    delete: fail,
    clear: fail,
    close: () => Promise.resolve(),
  }
}

describe('counters read from stats()', () => {
  test('hits, misses, loads, sets and per-tier reads match the cache’s own stats', async () => {
    const { harness, otel } = setup()
    const cache = createCache({ name: 'users', tiers: [memory(), memoryStore()] })
    otel.observe(cache)
    await cache.get('absent') // miss in both tiers
    await cache.getOrSet('a', () => 'A') // miss, load, set
    await cache.get('a') // memory hit
    await expect(
      cache.getOrSet('bad', () => Promise.reject(new Error('db down'))),
    ).rejects.toThrow()

    const stats = cache.stats()
    const users = { 'stack.cache.name': 'users' }
    const request = (result: string) =>
      harness.value('stack.cache.requests', { ...users, 'stack.cache.result': result })
    expect(await request('hit')).toBe(stats.hits)
    expect(await request('miss')).toBe(stats.misses)
    expect(stats.hits).toBeGreaterThan(0)
    expect(stats.misses).toBeGreaterThan(0)
    expect(
      await harness.value('stack.cache.loads', { ...users, 'stack.cache.load.outcome': 'success' }),
    ).toBe(1)
    expect(
      await harness.value('stack.cache.loads', { ...users, 'stack.cache.load.outcome': 'error' }),
    ).toBe(1)
    expect(await harness.value('stack.cache.sets', users)).toBe(stats.sets)
    for (const tier of stats.tiers) {
      const where = { ...users, 'stack.cache.tier': tier.name }
      expect(
        await harness.value('stack.cache.tier.requests', { ...where, 'stack.cache.result': 'hit' }),
      ).toBe(tier.hits)
      expect(
        await harness.value('stack.cache.tier.requests', {
          ...where,
          'stack.cache.result': 'miss',
        }),
      ).toBe(tier.misses)
    }
    await cache.close()
  })

  test('stale hits under stale-while-revalidate and grace hits when the loader fails are told apart', async () => {
    const { harness, otel } = setup()
    const clock = fakeClock()
    const cache = createCache({
      name: 'swr',
      tiers: [memory()],
      clock: clock.now,
      ttl: 1_000,
      staleWhileRevalidate: '1m',
      grace: '1h',
    })
    otel.observe(cache)
    await cache.getOrSet('k', () => 'v1')
    clock.advance(1_500)
    expect(await cache.getOrSet('k', () => 'v2')).toBe('v1') // stale, refreshed in the background
    const graceCache = createCache({
      name: 'grace',
      tiers: [memory()],
      clock: clock.now,
      ttl: 1_000,
      grace: '1h',
    })
    otel.observe(graceCache)
    await graceCache.getOrSet('k', () => 'v1')
    clock.advance(1_500)
    expect(await graceCache.getOrSet('k', () => Promise.reject(new Error('db down')))).toBe('v1')

    expect(
      await harness.value('stack.cache.requests', {
        'stack.cache.name': 'swr',
        'stack.cache.result': 'stale_hit',
      }),
    ).toBe(1)
    expect(
      await harness.value('stack.cache.requests', {
        'stack.cache.name': 'grace',
        'stack.cache.result': 'grace_hit',
      }),
    ).toBe(1)
    expect(
      await harness.value('stack.cache.requests', {
        'stack.cache.name': 'grace',
        'stack.cache.result': 'stale_hit',
      }),
    ).toBe(0)
    await Promise.all([cache.close(), graceCache.close()])
  })
})

describe('breaker state and tier errors', () => {
  test('a tier whose circuit opened reports open = 1 and closed = 0, with its errors counted', async () => {
    const { harness, otel } = setup()
    const cache = createCache({
      name: 'outage',
      tiers: [memory(), downStore()],
      circuitBreaker: { failureThreshold: 2, cooldown: '1h' },
    })
    otel.observe(cache)
    const state = (value: string) =>
      harness.value('stack.cache.tier.circuit.state', {
        'stack.cache.name': 'outage',
        'stack.cache.tier': 'down',
        'stack.cache.circuit.state': value,
      })
    expect(await state('closed')).toBe(1)
    for (const key of ['a', 'b', 'c']) await cache.get(key)
    expect(await state('open')).toBe(1)
    expect(await state('closed')).toBe(0)
    expect(await state('half_open')).toBe(0)
    expect(
      await harness.value('stack.cache.tier.errors', {
        'stack.cache.name': 'outage',
        'stack.cache.tier': 'down',
      }),
    ).toBe(cache.stats().tiers[1]?.errors)
    expect(cache.stats().tiers[1]?.errors).toBeGreaterThanOrEqual(2)
    await cache.close()
  })
})

describe('load duration', () => {
  test('every loader call lands in the histogram, in seconds, failures with error.type', async () => {
    const { harness, otel } = setup()
    const cache = createCache({ name: 'loads', tiers: [memory()] })
    otel.observe(cache)
    await cache.getOrSet('slow', () => new Promise((resolve) => setTimeout(() => resolve(1), 30)))
    await cache.getOrSet('fast', () => 2)
    await expect(
      cache.getOrSet('bad', () => Promise.reject(new TypeError('nope'))),
    ).rejects.toThrow()
    const points = await harness.points('stack.cache.load.duration')
    const histogram = (errorType: string | undefined) =>
      points.find((point) => point.attributes['error.type'] === errorType)?.value as Histogram
    expect(histogram(undefined).count).toBe(2)
    expect(histogram(undefined).max).toBeGreaterThanOrEqual(0.025)
    expect(histogram(undefined).max).toBeLessThan(10) // seconds, not milliseconds
    expect(histogram('TypeError').count).toBe(1)
    await cache.close()
  })
})

describe('observe and shutdown', () => {
  test('a second cache with an observed name is refused; after unobserve it is accepted', () => {
    const { otel } = setup()
    const first = createCache({ name: 'same', tiers: [memory()] })
    const second = createCache({ name: 'same', tiers: [memory()] })
    const stop = otel.observe(first)
    expect(() => otel.observe(second)).toThrow(InvalidOptionError)
    stop()
    expect(() => otel.observe(second)).not.toThrow()
  })

  test('an unobserved cache is no longer updated; after shutdown nothing is', async () => {
    const { harness, otel } = setup()
    const a = createCache({ name: 'a', tiers: [memory()] })
    const b = createCache({ name: 'b', tiers: [memory()] })
    const stopA = otel.observe(a)
    otel.observe(b)
    const misses = async (name: string) =>
      (await harness.points('stack.cache.requests'))
        .filter((point) => point.attributes['stack.cache.name'] === name)
        .filter((point) => point.attributes['stack.cache.result'] === 'miss')
        .map((point) => point.value)
    await a.get('x')
    await b.get('x')
    expect(await misses('a')).toEqual([1])
    stopA()
    await a.get('y')
    await b.get('y')
    expect(await misses('a')).not.toContain(2)
    expect(await misses('b')).toEqual([2])
    otel.shutdown()
    await b.get('z')
    expect(await misses('b')).not.toContain(3)
  })

  test('bad options are refused with InvalidOptionError naming them', () => {
    expect(() => stackOtel({ traces: 'yes' as never })).toThrow(/traces/)
    expect(() => stackOtel({ tracer: 1 } as never)).toThrow(/tracer/)
  })
})
