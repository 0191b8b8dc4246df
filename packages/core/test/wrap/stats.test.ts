import { describe, expect, test } from 'vitest'
import {
  type Cache,
  cached,
  cachedMethod,
  createCache,
  memory,
  memoryStore,
  wrap,
  wrapSync,
} from '../../src/index.js'
import { fakeClock } from '../cache/helpers.js'
import { gate, settleCallbacks } from './gate.js'

describe('per-function stats', () => {
  test('a miss, then hits; another function of the same cache keeps its own counts', async () => {
    const cache = createCache({ tiers: [memory()] })
    const double = wrap(cache, async (n: number) => n * 2, { name: 'double' })
    const triple = wrap(cache, async (n: number) => n * 3, { name: 'triple' })
    await double(1)
    await double(1)
    await double(1)
    await triple(1)
    expect(double.stats()).toEqual({ hits: 2, misses: 1, errors: 0, loads: 1 })
    expect(triple.stats()).toEqual({ hits: 0, misses: 1, errors: 0, loads: 1 })
  })

  test('stats() is a snapshot', async () => {
    const cache = createCache({ tiers: [memory()] })
    const wrapped = wrap(cache, async (n: number) => n, { name: 'id' })
    const before = wrapped.stats()
    await wrapped(1)
    expect(before).toEqual({ hits: 0, misses: 0, errors: 0, loads: 0 })
  })

  test('100 concurrent calls of a cold key: 100 misses, 1 load; then hits', async () => {
    const cache = createCache({ tiers: [memory()] })
    const held = gate()
    const wrapped = wrap(
      cache,
      async (id: number) => {
        await held.wait
        return { id }
      },
      { name: 'slow' },
    )
    const calls = Array.from({ length: 100 }, () => wrapped(7))
    held.open()
    await Promise.all(calls)
    expect(wrapped.stats()).toEqual({ hits: 0, misses: 100, errors: 0, loads: 1 })
    await Promise.all(Array.from({ length: 50 }, () => wrapped(7)))
    expect(wrapped.stats()).toEqual({ hits: 50, misses: 100, errors: 0, loads: 1 })
  })

  test('interleaved keys, hits and misses at once, over a remote tier', async () => {
    const cache = createCache({ tiers: [memory(), memoryStore()] })
    const held = gate()
    const wrapped = wrap(
      cache,
      async (id: number) => {
        await held.wait
        return `v${id}`
      },
      { name: 'mixed' },
    )
    await cache.set('mixed:[0]', 'v0')
    // Keys 1..9 are cold (20 callers each, joining one load per key after the remote
    // read); key 0 is cached (20 hits), answered while the loads are still held.
    const calls: Promise<string>[] = []
    for (let round = 0; round < 20; round++) for (let id = 0; id < 10; id++) calls.push(wrapped(id))
    await settleCallbacks()
    expect(wrapped.stats()).toEqual({ hits: 20, misses: 0, errors: 0, loads: 9 })
    held.open()
    await Promise.all(calls)
    expect(wrapped.stats()).toEqual({ hits: 20, misses: 180, errors: 0, loads: 9 })
  })

  test('a value found in a shared remote tier is a hit, not a miss', async () => {
    const remote = memoryStore()
    const writer = createCache({ tiers: [memory(), remote] })
    const reader = createCache({ tiers: [memory(), remote] })
    const load = async (id: number) => `v${id}`
    await wrap(writer, load, { name: 'shared' })(1)
    const readerSide = wrap(reader, load, { name: 'shared' })
    await Promise.all(Array.from({ length: 10 }, () => readerSide(1)))
    expect(readerSide.stats()).toEqual({ hits: 10, misses: 0, errors: 0, loads: 0 })
  })

  test('errors: each waiting caller of a failed load, and keys that cannot be built', async () => {
    const cache = createCache({ tiers: [memory()] })
    const held = gate()
    const wrapped = wrap(
      cache,
      async (_id: unknown) => {
        await held.wait
        throw new Error('boom')
      },
      { name: 'failing' },
    )
    const calls = Array.from({ length: 5 }, () => wrapped(1))
    held.open()
    await Promise.allSettled(calls)
    await wrapped(() => 1).catch(() => undefined)
    expect(wrapped.stats()).toEqual({ hits: 0, misses: 0, errors: 6, loads: 1 })
  })

  test('stale-while-revalidate: the stale answer is a hit, its refresh a load', async () => {
    const clock = fakeClock()
    const cache = createCache({ tiers: [memory({ clock: clock.now })], clock: clock.now })
    // A synchronous original returning the same value: the refresh it starts finishes
    // within the same turn, and must still not turn the stale answer into a miss.
    const wrapped = wrap(cache, (_id: number) => 5, {
      name: 'constant',
      ttl: '1s',
      staleWhileRevalidate: '1m',
    })
    await wrapped(1)
    clock.advance(1_000)
    expect(await wrapped(1)).toBe(5)
    await settleCallbacks()
    expect(wrapped.stats()).toEqual({ hits: 1, misses: 1, errors: 0, loads: 2 })
  })

  test('stale-while-revalidate with an async original returning the same object', async () => {
    const clock = fakeClock()
    const cache = createCache({ tiers: [memory({ clock: clock.now })], clock: clock.now })
    const config = { flags: ['a'] }
    const wrapped = wrap(cache, async (_id: number) => config, {
      name: 'config',
      ttl: '1s',
      staleWhileRevalidate: '1m',
    })
    await wrapped(1)
    clock.advance(1_000)
    const answers = await Promise.all([wrapped(1), wrapped(1), wrapped(1)])
    expect(answers.every((answer) => answer === config)).toBe(true)
    await settleCallbacks()
    expect(wrapped.stats()).toEqual({ hits: 3, misses: 1, errors: 0, loads: 2 })
  })

  test('a caller that waits for a reload of the same value is a miss, stale or not', async () => {
    const clock = fakeClock()
    const cache = createCache({ tiers: [memory({ clock: clock.now })], clock: clock.now })
    // Expired but kept for grace: the reload has a stale value equal to what it returns.
    const wrapped = wrap(cache, (_id: number) => 5, { name: 'same', ttl: '1s', grace: '1h' })
    await wrapped(1)
    clock.advance(1_000)
    await Promise.all([wrapped(1), wrapped(1)])
    expect(wrapped.stats()).toEqual({ hits: 0, misses: 3, errors: 0, loads: 2 })
  })

  test('after a load has answered, later calls are hits even while other calls wait', async () => {
    const cache = createCache({ tiers: [memory()] })
    const held = gate()
    const wrapped = wrap(
      cache,
      async (id: number) => {
        if (id === 2) await held.wait
        return 7
      },
      { name: 'overlap' },
    )
    const waiting = wrapped(2)
    await wrapped(1)
    await wrapped(1)
    await wrapped(1)
    expect(wrapped.stats()).toEqual({ hits: 2, misses: 1, errors: 0, loads: 2 })
    held.open()
    await waiting
    expect(wrapped.stats()).toEqual({ hits: 2, misses: 2, errors: 0, loads: 2 })
  })

  test('a disabled cache: every call is a miss and a load', async () => {
    const cache = createCache({ tiers: [memory()], enabled: false })
    const wrapped = wrap(cache, async (id: number) => id, { name: 'off' })
    await Promise.all([wrapped(1), wrapped(1), wrapped(2)])
    await wrapped(1)
    expect(wrapped.stats()).toEqual({ hits: 0, misses: 4, errors: 0, loads: 4 })
  })

  test('grace: a failed load answered with the stale value is a hit', async () => {
    const clock = fakeClock()
    const cache = createCache({ tiers: [memory({ clock: clock.now })], clock: clock.now })
    let fail = false
    const wrapped = wrap(
      cache,
      async (id: number) => {
        if (fail) throw new Error('down')
        return id
      },
      { name: 'graceful', ttl: '1s', grace: '1h' },
    )
    await wrapped(1)
    clock.advance(1_000)
    fail = true
    expect(await wrapped(1)).toBe(1)
    expect(wrapped.stats()).toEqual({ hits: 1, misses: 1, errors: 0, loads: 2 })
  })

  test('refresh counts a load, not a call; calls during it are hits', async () => {
    const cache = createCache({ tiers: [memory()] })
    const held = gate()
    let version = 0
    const wrapped = wrap(
      cache,
      async (_id: number) => {
        const mine = ++version
        if (mine === 2) await held.wait
        return mine
      },
      { name: 'refreshed' },
    )
    await wrapped(1)
    const refreshing = wrapped.refresh(1)
    expect(await wrapped(1)).toBe(1)
    held.open()
    await refreshing
    expect(await wrapped(1)).toBe(2)
    expect(wrapped.stats()).toEqual({ hits: 2, misses: 1, errors: 0, loads: 2 })
  })

  test('a caller waiting on a load superseded by invalidate still counts a miss', async () => {
    const cache = createCache({ tiers: [memory()] })
    const held = gate()
    const wrapped = wrap(
      cache,
      async (id: number) => {
        await held.wait
        return id
      },
      { name: 'superseded' },
    )
    const call = wrapped(1)
    await settleCallbacks()
    await wrapped.invalidate(1)
    held.open()
    await call
    expect(wrapped.stats()).toEqual({ hits: 0, misses: 1, errors: 0, loads: 1 })
  })

  test('more loads complete than one record generation holds while calls wait', async () => {
    const cache = createCache({ tiers: [memory()] })
    const first = gate()
    const second = gate()
    const wrapped = wrap(
      cache,
      async (id: number) => {
        await (id < 150 ? first : second).wait
        return { id }
      },
      { name: 'many' },
    )
    // 600 calls begin together; their 300 loads finish in two waves, so records spill
    // into a second generation while every call of the second wave is still waiting.
    const calls = Array.from({ length: 600 }, (_, i) => wrapped(i % 300))
    first.open()
    await Promise.all(calls.filter((_, i) => i % 300 < 150))
    // Began after key 0's load answered, while 300 calls still wait: a hit.
    await wrapped(0)
    second.open()
    await Promise.all(calls)
    expect(wrapped.stats()).toEqual({ hits: 1, misses: 600, errors: 0, loads: 300 })
  })

  test('long overlapping traffic: each call is counted once', async () => {
    const cache = createCache({ tiers: [memory({ maxEntries: 50 })] })
    const wrapped = wrap(cache, async (id: number) => id, { name: 'traffic' })
    // Calls keep overlapping (never zero pending) across thousands of loads and evictions.
    const calls: Promise<number>[] = []
    for (let i = 0; i < 3_000; i++) {
      calls.push(wrapped(i % 200))
      if (i % 7 === 0) await Promise.resolve()
    }
    const results = await Promise.all(calls)
    expect(results.every((value, i) => value === i % 200)).toBe(true)
    const stats = wrapped.stats()
    expect(stats.hits + stats.misses).toBe(3_000)
    expect(stats.errors).toBe(0)
    // Every load answers at least its own caller.
    expect(stats.misses).toBeGreaterThanOrEqual(stats.loads)
  })

  test('a cache function returning a new namespace facade per call', async () => {
    const cache = createCache({ tiers: [memory()] })
    const held = gate()
    class Tenants {
      constructor(readonly tenant: string) {}
      async find(id: string): Promise<string> {
        await held.wait
        return `${this.tenant}/${id}`
      }
    }
    // Applied by hand in the legacy form (Vitest cannot compile decorators in test files).
    const descriptor = Object.getOwnPropertyDescriptor(Tenants.prototype, 'find')
    const decorate = cached((self: Tenants): Cache => cache.namespace(self.tenant), {
      key: 'user:{0}',
    })
    Object.defineProperty(
      Tenants.prototype,
      'find',
      decorate(Tenants.prototype, 'find', descriptor as never),
    )
    const tenants = Array.from({ length: 40 }, (_, i) => new Tenants(`t${i}`))
    const calls = tenants.flatMap((tenant) => [tenant.find('1'), tenant.find('1')])
    held.open()
    const results = await Promise.all(calls)
    expect(results[0]).toBe('t0/1')
    expect(await cache.namespace('t39').get('user:1')).toBe('t39/1')
    const stats = cachedMethod(tenants[0] as Tenants, 'find').stats()
    expect(stats).toEqual({ hits: 0, misses: 80, errors: 0, loads: 40 })
  })

  test('wrapSync: hits, misses, errors and loads', () => {
    const cache = createCache({ tiers: [memory()] })
    const wrapped = wrapSync(
      cache,
      (n: number) => {
        if (n < 0) throw new Error('negative')
        return n
      },
      { name: 'sync' },
    )
    wrapped(1)
    wrapped(1)
    expect(() => wrapped(-1)).toThrow('negative')
    wrapped.refresh(1)
    expect(wrapped.stats()).toEqual({ hits: 1, misses: 1, errors: 1, loads: 3 })
  })
})
