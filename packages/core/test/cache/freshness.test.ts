import { describe, expect, test } from 'vitest'
import { createCache, memory, memoryStore, TimeoutError } from '../../src/index.js'
import { fakeClock, switchableStore } from './helpers.js'

const tick = () => new Promise((resolve) => setTimeout(resolve, 0))
const deferred = <T>() => {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

function setup(
  options: Parameters<typeof createCache>[0] extends infer O ? Partial<O> : never = {},
) {
  const clock = fakeClock()
  const cache = createCache({
    tiers: [memory({ clock: clock.now })],
    clock: clock.now,
    ttl: '10s',
    ...options,
  })
  return { cache, clock }
}

describe('stale-while-revalidate', () => {
  test('serves the stale value at once and refreshes once in the background', async () => {
    const { cache, clock } = setup({ staleWhileRevalidate: '1m' })
    let calls = 0
    const gate = deferred<string>()
    const loader = () => (++calls === 1 ? 'v1' : gate.promise)
    expect(await cache.getOrSet('k', loader)).toBe('v1')
    clock.advance(10_000)
    const stale = await Promise.all(Array.from({ length: 50 }, () => cache.getOrSet('k', loader)))
    expect(new Set(stale)).toEqual(new Set(['v1']))
    expect(calls).toBe(2)
    gate.resolve('v2')
    await tick()
    await tick()
    expect(await cache.getOrSet('k', loader)).toBe('v2')
    expect(calls).toBe(2)
    expect(cache.stats()).toMatchObject({ staleHits: 50, refreshes: 1 })
  })

  test('past the window the caller waits for the loader', async () => {
    const { cache, clock } = setup({ staleWhileRevalidate: '1m' })
    await cache.set('k', 'old')
    clock.advance(70_000)
    expect(await cache.getOrSet('k', () => 'new')).toBe('new')
  })

  test('a failing background refresh reaches events, never the caller', async () => {
    const { cache, clock } = setup({ staleWhileRevalidate: '1m' })
    const errors: string[] = []
    cache.on('error', (e) => errors.push(`${e.operation}: ${(e.error as Error).message}`))
    await cache.set('k', 'old')
    clock.advance(10_000)
    expect(
      await cache.getOrSet('k', () => {
        throw new Error('upstream down')
      }),
    ).toBe('old')
    await tick()
    expect(errors).toEqual(['load: upstream down'])
    expect(cache.stats().loadErrors).toBe(1)
  })
})

describe('grace', () => {
  test('serves the stale value when the loader fails, and backs off before retrying', async () => {
    const { cache, clock } = setup({ grace: '1h', graceBackoff: '30s' })
    await cache.set('k', 'old')
    clock.advance(10_000)
    let calls = 0
    const failing = () => {
      calls++
      throw new Error('db down')
    }
    expect(await cache.getOrSet('k', failing)).toBe('old')
    expect(await cache.getOrSet('k', failing)).toBe('old')
    expect(calls).toBe(1)
    clock.advance(30_000)
    expect(await cache.getOrSet('k', failing)).toBe('old')
    expect(calls).toBe(2)
    expect(await cache.getOrSet('k', () => 'fresh')).toBe('old') // still backing off
    clock.advance(30_000)
    expect(await cache.getOrSet('k', () => 'fresh')).toBe('fresh')
    expect(cache.stats().graceHits).toBe(4)
  })

  test('never serves past the grace window: the error reaches the caller', async () => {
    const { cache, clock } = setup({ grace: '1m' })
    await cache.set('k', 'old')
    clock.advance(70_000)
    await expect(
      cache.getOrSet('k', () => {
        throw new Error('db down')
      }),
    ).rejects.toThrow('db down')
  })

  test('plain get never serves a stale value', async () => {
    const { cache, clock } = setup({ grace: '1h', staleWhileRevalidate: '1h' })
    await cache.set('k', 'old')
    clock.advance(10_000)
    expect(await cache.get('k')).toBeUndefined()
    expect(await cache.has('k')).toBe(false)
  })

  test('serves grace when every remote tier is down and the loader fails', async () => {
    const clock = fakeClock()
    const remote = switchableStore(memoryStore({ clock: clock.now }))
    const cache = createCache({ tiers: [remote.store], clock: clock.now, ttl: '10s', grace: '1h' })
    await cache.set('k', 'old')
    clock.advance(10_000)
    expect(await cache.getOrSet('k', () => Promise.reject(new Error('api down')))).toBe('old')
    remote.setDown(true)
    clock.advance(20_000)
    // The remote read fails, the local tier is absent, the loader fails: nothing to serve.
    await expect(cache.getOrSet('k', () => Promise.reject(new Error('api down')))).rejects.toThrow()
  })
})

describe('timeouts', () => {
  test('softTimeout returns the stale value and lets the loader finish and write', async () => {
    const { cache, clock } = setup({ grace: '1h', softTimeout: 20 })
    await cache.set('k', 'old')
    clock.advance(10_000)
    const gate = deferred<string>()
    expect(await cache.getOrSet('k', () => gate.promise)).toBe('old')
    gate.resolve('new')
    await tick()
    await tick()
    expect(await cache.get('k')).toBe('new')
  })

  test('softTimeout without a stale value waits for the loader', async () => {
    const { cache } = setup({ softTimeout: 5 })
    const value = await cache.getOrSet(
      'k',
      () => new Promise((r) => setTimeout(() => r('slow'), 30)),
    )
    expect(value).toBe('slow')
  })

  test('hardTimeout aborts the loader and rejects with a TimeoutError naming the key', async () => {
    const { cache } = setup({ hardTimeout: 20 })
    let aborted: unknown
    const pending = cache.getOrSet('slow-key', ({ signal }) => {
      return new Promise((_, reject) => {
        signal.addEventListener('abort', () => {
          aborted = signal.reason
          reject(signal.reason)
        })
      })
    })
    await expect(pending).rejects.toSatisfy(
      (error: unknown) =>
        TimeoutError.isInstance(error) && error.key === 'slow-key' && error.timeout === 20,
    )
    expect(TimeoutError.isInstance(aborted)).toBe(true)
  })

  test('hardTimeout falls back to a grace value', async () => {
    const { cache, clock } = setup({ grace: '1h', hardTimeout: 10 })
    await cache.set('k', 'old')
    clock.advance(10_000)
    expect(await cache.getOrSet('k', () => new Promise(() => undefined))).toBe('old')
  })
})

describe('early refresh (XFetch)', () => {
  test('a hot key is refreshed once before it expires, never without a measured load time', async () => {
    const { cache, clock } = setup({ earlyRefresh: { beta: 1 } })
    let calls = 0
    const loader = async () => {
      calls++
      await new Promise((r) => setTimeout(r, 5))
      return calls
    }
    expect(await cache.getOrSet('k', loader)).toBe(1)
    clock.advance(9_990) // 10 ms before expiry with a ~5 ms loader: refreshes are likely
    for (let i = 0; i < 200; i++) await cache.getOrSet('k', loader)
    await new Promise((r) => setTimeout(r, 20))
    expect(calls).toBe(2)
    expect(await cache.get('k')).toBe(2)
    // set() has no load time: never refreshed early.
    await cache.set('plain', 'v')
    clock.advance(9_999)
    for (let i = 0; i < 100; i++) await cache.getOrSet('plain', loader)
    expect(calls).toBe(2)
  })

  test('rejects a bad beta', () => {
    expect(() => createCache({ tiers: [memory()], earlyRefresh: { beta: -1 } })).toThrow(/beta/)
  })
})

describe('adaptive caching', () => {
  test('cacheIf decides from the value; validate rejects held entries', async () => {
    const { cache } = setup()
    await cache.getOrSet('k', () => ({ ok: false }), { cacheIf: (v) => v.ok })
    expect(await cache.has('k')).toBe(false)
    await cache.set('versioned', { v: 1 })
    const value = await cache.getOrSet('versioned', () => ({ v: 2 }), {
      validate: (entry) => (entry.value as { v: number }).v === 2,
    })
    expect(value).toEqual({ v: 2 })
  })

  test('the loader sees the stale value', async () => {
    const { cache, clock } = setup({ grace: '1h' })
    await cache.set('k', 'etag-1')
    clock.advance(10_000)
    expect(await cache.getOrSet('k', ({ stale }) => `${stale}+1`)).toBe('etag-1+1')
  })
})

describe('invalidation racing a refresh', () => {
  test('a delete during a load keeps the loaded value out of the cache', async () => {
    const { cache } = setup()
    const gate = deferred<string>()
    const pending = cache.getOrSet('k', () => gate.promise)
    await tick()
    await cache.delete('k')
    gate.resolve('loaded before the delete')
    expect(await pending).toBe('loaded before the delete')
    expect(await cache.get('k')).toBeUndefined()
  })

  test('a tag invalidated during a load makes the loaded value dead', async () => {
    const { cache, clock } = setup()
    const gate = deferred<string>()
    const pending = cache.getOrSet('k', () => gate.promise, { tags: ['t'] })
    await tick()
    clock.advance(1)
    await cache.invalidateTags(['t'])
    clock.advance(1)
    gate.resolve('old')
    await pending
    expect(await cache.get('k')).toBeUndefined()
  })

  test('a set during a load wins over the load', async () => {
    const { cache } = setup()
    const gate = deferred<string>()
    const pending = cache.getOrSet('k', () => gate.promise)
    await tick()
    await cache.set('k', 'written')
    gate.resolve('loaded')
    await pending
    expect(await cache.get('k')).toBe('written')
  })
})

describe('disabled caches', () => {
  test('call loaders every time and store nothing', async () => {
    const cache = createCache({ tiers: [memory()], enabled: false })
    let calls = 0
    await cache.getOrSet('k', () => ++calls)
    await cache.getOrSet('k', () => ++calls)
    await cache.set('x', 1)
    expect(calls).toBe(2)
    expect(await cache.get('x')).toBeUndefined()
  })

  test('STACK_CACHE_DISABLED=1 disables caches', async () => {
    process.env.STACK_CACHE_DISABLED = '1'
    try {
      const cache = createCache({ tiers: [memory()] })
      await cache.set('x', 1)
      expect(await cache.get('x')).toBeUndefined()
    } finally {
      delete process.env.STACK_CACHE_DISABLED
    }
  })
})

describe('getOrSetSync', () => {
  test('answers synchronously on local-only caches', () => {
    const { cache } = setup()
    let calls = 0
    expect(cache.isLocalOnly).toBe(true)
    expect(cache.getOrSetSync('k', () => ++calls)).toBe(1)
    expect(cache.getOrSetSync('k', () => ++calls)).toBe(1)
    expect(() => cache.getOrSetSync('p', () => Promise.resolve(1))).toThrow(/promise/)
  })

  test('refuses caches with remote tiers', () => {
    const cache = createCache({ tiers: [memory(), memoryStore()] })
    expect(cache.isLocalOnly).toBe(false)
    expect(() => cache.getOrSetSync('k', () => 1)).toThrow(/all local/)
  })
})
