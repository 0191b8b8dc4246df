import { describe, expect, test } from 'vitest'
import {
  ClosedError,
  createCache,
  InvalidKeyError,
  InvalidOptionError,
  InvalidValueError,
  memory,
  memoryStore,
  SerializationError,
  StoreUnavailableError,
} from '../../src/index.js'
import { fakeClock, switchableStore, threeTierCache } from './helpers.js'

describe('createCache on the memory tier', () => {
  test('get, set, has and delete', async () => {
    const cache = createCache({ tiers: [memory()] })
    expect(await cache.get('missing')).toBeUndefined()
    await cache.set('user:1', { name: 'ada' })
    expect(await cache.get('user:1')).toEqual({ name: 'ada' })
    expect(await cache.has('user:1')).toBe(true)
    expect(await cache.delete('user:1')).toBe(true)
    expect(await cache.delete('user:1')).toBe(false)
    expect(await cache.has('user:1')).toBe(false)
  })

  test('an entry is served until its ttl and never at or after it', async () => {
    const clock = fakeClock()
    const cache = createCache({
      tiers: [memory({ clock: clock.now })],
      ttl: '10s',
      clock: clock.now,
    })
    await cache.set('k', 'v')
    clock.advance(9_999)
    expect(await cache.get('k')).toBe('v')
    clock.advance(1)
    expect(await cache.get('k')).toBeUndefined()
    expect(await cache.has('k')).toBe(false)
  })

  test('per-call ttl overrides the default, as ms or a string', async () => {
    const clock = fakeClock()
    const cache = createCache({
      tiers: [memory({ clock: clock.now })],
      ttl: '1h',
      clock: clock.now,
    })
    await cache.set('short', 1, { ttl: '2s' })
    await cache.set('shorter', 2, { ttl: 500 })
    clock.advance(600)
    expect(await cache.getMany(['short', 'shorter'])).toEqual([1, undefined])
    clock.advance(1_400)
    expect(await cache.get('short')).toBeUndefined()
  })

  test('a ttl of 0 stores nothing', async () => {
    const cache = createCache({ tiers: [memory()] })
    await cache.set('k', 'v', { ttl: 0 })
    expect(await cache.get('k')).toBeUndefined()
  })

  test('getOrSet calls the loader once per fresh period', async () => {
    const clock = fakeClock()
    const cache = createCache({
      tiers: [memory({ clock: clock.now })],
      ttl: '1m',
      clock: clock.now,
    })
    let calls = 0
    const load = () => cache.getOrSet('k', () => ++calls)
    expect(await load()).toBe(1)
    expect(await load()).toBe(1)
    clock.advance(60_000)
    expect(await load()).toBe(2)
    expect(cache.stats()).toMatchObject({ loads: 2, hits: 1, misses: 2 })
  })

  test('1,000 concurrent getOrSet callers of a cold key share one loader call', async () => {
    const cache = createCache({ tiers: [memory()] })
    let calls = 0
    const loader = async () => {
      calls++
      await new Promise((resolve) => setTimeout(resolve, 20))
      return { loaded: calls }
    }
    const results = await Promise.all(
      Array.from({ length: 1_000 }, () => cache.getOrSet('cold', loader)),
    )
    expect(calls).toBe(1)
    expect(new Set(results).size).toBe(1)
    expect(cache.stats().coalesced).toBe(999)
  })

  test('concurrent callers share the loader error, and the next call retries', async () => {
    const cache = createCache({ tiers: [memory()] })
    let calls = 0
    const failing = async () => {
      calls++
      await new Promise((resolve) => setTimeout(resolve, 5))
      throw new Error('db down')
    }
    const settled = await Promise.allSettled(
      Array.from({ length: 10 }, () => cache.getOrSet('k', failing)),
    )
    expect(calls).toBe(1)
    expect(settled.every((r) => r.status === 'rejected' && /db down/.test(String(r.reason)))).toBe(
      true,
    )
    expect(await cache.getOrSet('k', () => 'recovered')).toBe('recovered')
    expect(cache.stats()).toMatchObject({ loads: 2, loadErrors: 1 })
  })

  test('the loader context sets ttl, tags, or skips caching', async () => {
    const clock = fakeClock()
    const cache = createCache({
      tiers: [memory({ clock: clock.now })],
      ttl: '1h',
      clock: clock.now,
    })
    await cache.getOrSet('short', (ctx) => {
      ctx.setTtl('1s')
      return 'v'
    })
    clock.advance(1_000)
    expect(await cache.get('short')).toBeUndefined()
    expect(
      await cache.getOrSet('skip', (ctx) => {
        ctx.skipCache()
        return 'not cached'
      }),
    ).toBe('not cached')
    expect(await cache.has('skip')).toBe(false)
    expect(await cache.getOrSet('ctx', (ctx) => ctx.key)).toBe('ctx')
  })

  test('a loader resolving undefined is an error naming the key; null is cached', async () => {
    const cache = createCache({ tiers: [memory()] })
    await expect(cache.getOrSet('absent', () => undefined)).rejects.toThrow(/"absent".*null/)
    await expect(cache.getOrSet('absent', () => undefined)).rejects.toSatisfy(
      InvalidValueError.isInstance,
    )
    expect(await cache.getOrSet('none', () => null)).toBeNull()
    expect(await cache.has('none')).toBe(true)
  })

  test('forceFresh calls the loader even when a fresh value is cached', async () => {
    const cache = createCache({ tiers: [memory()] })
    await cache.set('k', 'old')
    expect(await cache.getOrSet('k', () => 'new', { forceFresh: true })).toBe('new')
    expect(await cache.get('k')).toBe('new')
  })

  test('close aborts loaders in flight and is idempotent; later calls reject', async () => {
    const cache = createCache({ tiers: [memory()] })
    let aborted = false
    const pending = cache.getOrSet('slow', ({ signal }) => {
      return new Promise<string>((resolve) => {
        signal.addEventListener('abort', () => {
          aborted = true
          resolve('late')
        })
      })
    })
    await new Promise((resolve) => setTimeout(resolve, 0))
    await Promise.all([cache.close(), cache.close()])
    expect(aborted).toBe(true)
    await pending.catch(() => undefined)
    for (const call of [
      () => cache.get('k'),
      () => cache.set('k', 1),
      () => cache.delete('k'),
      () => cache.getOrSet('k', () => 1),
      () => cache.clear(),
    ]) {
      await expect(call()).rejects.toSatisfy(ClosedError.isInstance)
    }
  })
})

describe('invalid input is rejected, naming what is wrong', () => {
  const cache = createCache({ tiers: [memory()] })

  test.each([
    ['an empty key', ''],
    ['a number key', 1],
    ['an undefined key', undefined],
    ['an object key', {}],
  ])('%s', async (_, key) => {
    await expect(cache.get(key as string)).rejects.toSatisfy(InvalidKeyError.isInstance)
    await expect(cache.set(key as string, 1)).rejects.toSatisfy(InvalidKeyError.isInstance)
    await expect(cache.getMany(['ok', key as string])).rejects.toSatisfy(InvalidKeyError.isInstance)
  })

  test('negative, NaN and malformed ttl', async () => {
    await expect(cache.set('k', 1, { ttl: -1 })).rejects.toThrow(/ttl/)
    await expect(cache.set('k', 1, { ttl: Number.NaN })).rejects.toSatisfy(
      InvalidOptionError.isInstance,
    )
    await expect(cache.set('k', 1, { ttl: '5 minutes' })).rejects.toThrow(/ttl/)
    expect(() => createCache({ tiers: [memory()], ttl: -5 })).toThrow(/ttl/)
  })

  test('undefined values', async () => {
    await expect(cache.set('k', undefined)).rejects.toThrow(/undefined for key "k"/)
    await expect(cache.setMany([{ key: 'k', value: undefined }])).rejects.toSatisfy(
      InvalidValueError.isInstance,
    )
  })

  test('unknown options, naming them', async () => {
    await expect(cache.set('k', 1, { tll: '5m' } as never)).rejects.toThrow(/unknown option "tll"/)
    expect(() => createCache({ tiers: [memory()], prefx: 'a' } as never)).toThrow(/"prefx"/)
    await expect(cache.getOrSet('k', () => 1, { force: true } as never)).rejects.toSatisfy(
      (error: unknown) => InvalidOptionError.isInstance(error) && error.option === 'force',
    )
  })

  test('bad tier lists and tags', async () => {
    expect(() => createCache({ tiers: [] })).toThrow(/tiers/)
    expect(() => createCache({ tiers: [memoryStore(), memory()] })).toThrow(/tiers\[0\]/)
    expect(() => createCache({ tiers: [{} as never] })).toThrow(/tiers\[0\]/)
    await expect(cache.set('k', 1, { tags: [''] })).rejects.toThrow(/tags/)
  })
})

describe('chains of tiers', () => {
  test('a lower-tier hit backfills the tiers above with the remaining life only', async () => {
    const { cache, clock, local, middle, bottom } = threeTierCache()
    const writer = createCache({ tiers: [bottom], clock: clock.now, ttl: '1m' })
    await writer.set('k', 'from bottom')
    clock.advance(40_000)
    expect(await cache.get('k')).toBe('from bottom')
    expect(local.peek('#k')?.value).toBe('from bottom')
    expect(await middle.get('#k')).toBeDefined()
    // 20 s of life were left: no tier may serve it after that.
    clock.advance(20_000)
    expect(local.peek('#k')).toBeUndefined()
    expect(await middle.get('#k')).toBeUndefined()
    expect(await cache.get('k')).toBeUndefined()
  })

  test('writes reach every tier', async () => {
    const { cache, local, middle, bottom } = threeTierCache()
    await cache.set('k', 'v')
    expect(local.peek('#k')?.value).toBe('v')
    expect(await middle.get('#k')).toBeDefined()
    expect(await bottom.get('#k')).toBeDefined()
  })

  test('getMany asks each tier, in one batch, only for the keys still missing', async () => {
    const { cache, local, middle, bottom } = threeTierCache()
    await cache.setMany([
      { key: 'a', value: 1 },
      { key: 'b', value: 2 },
      { key: 'c', value: 3 },
    ])
    local.delete('#b')
    local.delete('#c')
    await middle.delete('#c')
    const asked: string[][] = []
    for (const store of [middle, bottom]) {
      const getMany = store.getMany!.bind(store)
      store.getMany = (keys) => {
        asked.push([...keys])
        return getMany(keys)
      }
    }
    expect(await cache.getMany(['a', 'b', 'c', 'd'])).toEqual([1, 2, 3, undefined])
    expect(asked).toEqual([
      ['#b', '#c', '#d'],
      ['#c', '#d'],
    ])
    expect(await cache.getMany([])).toEqual([])
  })

  test('a failing tier is a counted miss when another tier answers', async () => {
    const clock = fakeClock()
    const broken = switchableStore(memoryStore({ clock: clock.now }))
    const healthy = memoryStore({ clock: clock.now })
    const cache = createCache({
      tiers: [memory({ clock: clock.now }), broken.store, healthy],
      clock: clock.now,
    })
    const errors: string[] = []
    cache.on('error', (event) => errors.push(`${event.operation}@${event.tier}`))
    broken.setDown(true)
    await cache.set('k', 'v')
    expect(await createCache({ tiers: [healthy], clock: clock.now }).get('k')).toBe('v')
    const fresh = createCache({ tiers: [broken.store, healthy], clock: clock.now })
    fresh.on('error', (event) => errors.push(`${event.operation}@${event.tier}`))
    expect(await fresh.get('k')).toBe('v')
    await new Promise((resolve) => setTimeout(resolve, 0))
    // The read failed, then so did the background backfill into the broken tier.
    expect(fresh.stats().tiers.map((t) => [t.name, t.errors, t.hits])).toEqual([
      ['switchable', 2, 0],
      ['memory-store', 0, 1],
    ])
    expect(errors).toEqual(['set@switchable', 'get@switchable', 'backfill@switchable'])
  })

  test('strict mode throws a coded error instead, and drops the local copy of a failed write', async () => {
    const broken = switchableStore()
    const local = memory()
    const cache = createCache({ tiers: [local, broken.store], strict: true })
    await cache.set('k', 'v1')
    broken.setDown(true)
    await expect(cache.set('k', 'v2')).rejects.toSatisfy(StoreUnavailableError.isInstance)
    expect(local.peek('#k')).toBeUndefined()
    await expect(cache.get('k')).rejects.toSatisfy(StoreUnavailableError.isInstance)
  })

  test('a corrupt remote entry is a miss plus a counted error, never a crash', async () => {
    const store = memoryStore()
    const cache = createCache({ tiers: [store] })
    await store.set('#k', new TextEncoder().encode('garbage'), Number.POSITIVE_INFINITY)
    const errors: unknown[] = []
    cache.on('error', (event) => errors.push(event.error))
    expect(await cache.get('k')).toBeUndefined()
    expect(await cache.getOrSet('k', () => 'reloaded')).toBe('reloaded')
    expect(cache.stats().tiers[0]?.errors).toBe(2)
    expect(errors).toHaveLength(2)
  })

  test('an unserializable value fails the write before any tier is touched', async () => {
    const { cache, local, bottom } = threeTierCache()
    await cache.set('k', 'old')
    await expect(cache.set('k', { fn: () => 1 })).rejects.toSatisfy(
      (error: unknown) => SerializationError.isInstance(error) && error.key === 'k',
    )
    await expect(
      cache.setMany([
        { key: 'ok', value: 1 },
        { key: 'bad', value: Symbol('x') as unknown as number },
      ]),
    ).rejects.toThrow(/"bad"/)
    expect(local.peek('#k')?.value).toBe('old')
    expect(await cache.has('ok')).toBe(false)
    expect(await bottom.get('#ok')).toBeUndefined()
  })
})

describe('prefixes', () => {
  test('isolate caches sharing a store, and clear() removes only its own entries', async () => {
    const shared = memoryStore()
    const a = createCache({ tiers: [shared], prefix: 'a' })
    const b = createCache({ tiers: [shared], prefix: 'b' })
    await a.set('k', 'from a')
    await b.set('k', 'from b')
    expect(await a.get('k')).toBe('from a')
    await a.clear()
    expect(await a.get('k')).toBeUndefined()
    expect(await b.get('k')).toBe('from b')
  })
})

describe('events and stats', () => {
  test('hit, miss, set and delete events carry the caller key', async () => {
    const cache = createCache({ tiers: [memory()], prefix: 'app' })
    const seen: string[] = []
    cache.on('hit', (e) => seen.push(`hit ${e.key} ${e.tier}`))
    cache.on('miss', (e) => seen.push(`miss ${e.key}`))
    cache.on('set', (e) => seen.push(`set ${e.key}`))
    const off = cache.on('delete', (e) => seen.push(`delete ${e.key}`))
    await cache.get('k')
    await cache.set('k', 1)
    await cache.get('k')
    await cache.delete('k')
    off()
    await cache.delete('k')
    expect(seen).toEqual(['miss k', 'set k', 'hit k memory', 'delete k'])
  })

  test('evict events report the local tier dropping entries', async () => {
    const cache = createCache({ tiers: [memory({ maxEntries: 2, policy: 'lru' })] })
    const evicted: string[] = []
    cache.on('evict', (e) => evicted.push(`${e.key}:${e.reason}`))
    await cache.set('a', 1)
    await cache.set('b', 2)
    await cache.set('c', 3)
    expect(evicted).toEqual(['a:capacity'])
  })
})
