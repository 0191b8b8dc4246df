import { describe, expect, test, vi } from 'vitest'
import { createCache, InvalidOptionError, memory, wrap, wrapSync } from '../../src/index.js'
import { fakeClock } from '../cache/helpers.js'

interface User {
  readonly id: string
}

function clockedCache(options: { ttl?: string; grace?: string } = {}) {
  const clock = fakeClock()
  const cache = createCache({ tiers: [memory({ clock: clock.now })], clock: clock.now, ...options })
  return { clock, cache }
}

const users = new Map<string, User>([['1', { id: '1' }]])

describe('ttl as a function of the result', () => {
  test('each result gets its own lifetime', async () => {
    const { clock, cache } = clockedCache()
    const find = vi.fn(async (id: string) => users.get(id) ?? null)
    const wrapped = wrap(cache, find, {
      key: 'user:{0}',
      ttl: (user) => (user === null ? '30s' : '1h'),
    })
    await wrapped('1')
    await wrapped('404')
    clock.advance(30_000)
    await wrapped('1')
    await wrapped('404')
    expect(find.mock.calls.map(([id]) => id)).toEqual(['1', '404', '404'])
    clock.advance(3_600_000 - 30_000)
    await wrapped('1')
    expect(find).toHaveBeenCalledTimes(4)
  })

  test('it gets the arguments too; undefined means the cache ttl', async () => {
    const { clock, cache } = clockedCache({ ttl: '10s' })
    const ttl = vi.fn((_value: string, _id: string, short: boolean) => (short ? '1s' : undefined))
    const load = vi.fn(async (id: string, _short: boolean) => id)
    const wrapped = wrap(cache, load, { name: 'load', ttl })
    await wrapped('a', true)
    await wrapped('b', false)
    expect(ttl.mock.calls).toEqual([
      ['a', 'a', true],
      ['b', 'b', false],
    ])
    clock.advance(1_000)
    expect(await wrapped.get('a', true)).toBeUndefined()
    expect(await wrapped.get('b', false)).toBe('b')
    clock.advance(9_000)
    expect(await wrapped.get('b', false)).toBeUndefined()
  })

  test('a ttl function returning no duration fails the call with InvalidOptionError, uncached', async () => {
    const { cache } = clockedCache()
    for (const bad of ['soon', -1, {}, null]) {
      const load = vi.fn(async () => 'v')
      const wrapped = wrap(cache, load, { key: 'bad', ttl: () => bad as never })
      const error = await wrapped().catch((caught: unknown) => caught)
      expect(InvalidOptionError.isInstance(error)).toBe(true)
      expect((error as InvalidOptionError).option).toBe('ttl')
      expect(await wrapped.get()).toBeUndefined()
    }
  })

  test('a throwing ttl function fails every waiting caller once, and nothing is cached', async () => {
    const { cache } = clockedCache()
    const load = vi.fn(async () => 'v')
    let fail = true
    const wrapped = wrap(cache, load, {
      key: 'k',
      ttl: () => {
        if (fail) throw new Error('ttl exploded')
        return '1m'
      },
    })
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => wrapped()))
    expect(results.map((result) => result.status)).toEqual(Array(5).fill('rejected'))
    expect(load).toHaveBeenCalledTimes(1)
    expect(await wrapped.get()).toBeUndefined()
    fail = false
    expect(await wrapped()).toBe('v')
    expect(await wrapped.get()).toBe('v')
  })

  test('a throwing ttl function is a failed load: grace serves the stale value', async () => {
    const { clock, cache } = clockedCache({ grace: '1h' })
    let version = 0
    let fail = false
    const wrapped = wrap(cache, async () => ++version, {
      key: 'k',
      ttl: () => {
        if (fail) throw new Error('ttl exploded')
        return '1s'
      },
    })
    expect(await wrapped()).toBe(1)
    clock.advance(1_000)
    fail = true
    expect(await wrapped()).toBe(1)
    expect(version).toBe(2)
  })

  test('set applies the ttl function to its value; if it throws, set rejects and writes nothing', async () => {
    const { clock, cache } = clockedCache()
    const wrapped = wrap(cache, async (id: string) => users.get(id) ?? null, {
      key: 'user:{0}',
      ttl: (user) => {
        if (user?.id === 'boom') throw new Error('ttl exploded')
        return user === null ? '30s' : '1h'
      },
    })
    await wrapped.set(null, '7')
    await wrapped.set({ id: '8' }, '8')
    await expect(wrapped.set({ id: 'boom' }, '8')).rejects.toThrow('ttl exploded')
    expect(await wrapped.get('8')).toEqual({ id: '8' })
    clock.advance(30_000)
    expect(await wrapped.get('7')).toBeUndefined()
    expect(await wrapped.get('8')).toEqual({ id: '8' })
  })

  test('refresh and wrapSync apply it too', async () => {
    const { clock, cache } = clockedCache()
    let version = 0
    const wrapped = wrap(cache, async () => ++version, { key: 'k', ttl: (n) => `${n}s` })
    await wrapped()
    await wrapped.refresh()
    clock.advance(1_999)
    expect(await wrapped.get()).toBe(2)
    clock.advance(1)
    expect(await wrapped.get()).toBeUndefined()

    const sync = wrapSync(cache, (n: number) => n, { name: 'sync', ttl: (n) => `${n}s` })
    sync(1)
    sync(5)
    clock.advance(1_000)
    expect(await sync.get(1)).toBeUndefined()
    expect(await sync.get(5)).toBe(5)
  })

  test('types: the function gets the resolved result', () => {
    const cache = createCache({ tiers: [memory()] })
    wrap(cache, async (id: string): Promise<User | null> => users.get(id) ?? null, {
      key: 'user:{0}',
      ttl: (user, id) => (user === null ? `${id.length}s` : undefined),
    })
    wrap(cache, async (id: string) => id, {
      key: 'k:{0}',
      // @ts-expect-error: a ttl function returns a duration or undefined
      ttl: () => true,
    })
  })
})
