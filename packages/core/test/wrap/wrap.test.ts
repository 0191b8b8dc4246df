import { describe, expect, test, vi } from 'vitest'
import {
  createCache,
  InvalidKeyError,
  InvalidOptionError,
  InvalidValueError,
  memory,
  memoryStore,
  wrap,
} from '../../src/index.js'
import { fakeClock } from '../cache/helpers.js'

function counted<A extends unknown[], R>(fn: (...args: A) => R) {
  const spy = vi.fn(fn)
  return spy
}

describe('wrap', () => {
  test('caches results under <name>:<arguments>', async () => {
    const cache = createCache({ tiers: [memory()] })
    const fetchUser = counted(async (id: number) => ({ id, name: `user ${id}` }))
    const getUser = wrap(cache, fetchUser, { name: 'getUser' })
    expect(await getUser(1)).toEqual({ id: 1, name: 'user 1' })
    expect(await getUser(1)).toEqual({ id: 1, name: 'user 1' })
    expect(await getUser(2)).toEqual({ id: 2, name: 'user 2' })
    expect(fetchUser).toHaveBeenCalledTimes(2)
    expect(getUser.key(1)).toBe('getUser:[1]')
    expect(await cache.get('getUser:[1]')).toEqual({ id: 1, name: 'user 1' })
  })

  test("the function's own name is the default namespace", async () => {
    const cache = createCache({ tiers: [memory()] })
    async function loadProfile(id: string, full = false) {
      return { id, full }
    }
    const profile = wrap(cache, loadProfile)
    expect(profile.key('a')).toBe('loadProfile:["a"]')
    expect(profile.key('a', true)).toBe('loadProfile:["a",true]')
    expect(profile.name).toBe('loadProfile')
  })

  test('an anonymous function needs a name or a key', () => {
    const cache = createCache({ tiers: [memory()] })
    expect(() =>
      wrap(cache, [async (id: string) => id][0] as (id: string) => Promise<string>),
    ).toThrow(InvalidOptionError)
    expect(() =>
      wrap(cache, [async (id: string) => id][0] as (id: string) => Promise<string>, { name: '' }),
    ).toThrow('name must be a non-empty string')
    const keyed = wrap(cache, [async (id: string) => id][0] as (id: string) => Promise<string>, {
      key: 'id:{0}',
    })
    expect(keyed.key('7')).toBe('id:7')
  })

  test('a key template or a key function replaces the default key', async () => {
    const cache = createCache({ tiers: [memory()] })
    const byTemplate = wrap(cache, async (user: { id: string; org: string }) => user.org, {
      key: 'org:{org}:user:{id}',
    })
    expect(byTemplate.key({ id: '1', org: 'acme' })).toBe('org:acme:user:1')
    const byFunction = wrap(cache, async (a: number, b: number) => a + b, {
      key: (a, b) => `sum:${Math.min(a, b)}:${Math.max(a, b)}`,
    })
    expect(await byFunction(2, 1)).toBe(3)
    expect(byFunction.key(1, 2)).toBe('sum:1:2')
    expect(await cache.get('sum:1:2')).toBe(3)
  })

  test('a key that cannot be built rejects with InvalidKeyError, calling nothing', async () => {
    const cache = createCache({ tiers: [memory()] })
    const load = counted(async (_input: unknown) => 1)
    const wrapped = wrap(cache, load, { name: 'load' })
    await expect(wrapped(() => 1)).rejects.toThrow(InvalidKeyError)
    await expect(wrapped(() => 1)).rejects.toThrow('load: args[0] is a function')
    const badKey = wrap(cache, load, { key: () => '' })
    await expect(badKey(1)).rejects.toThrow('a key function returned an empty string')
    await expect(wrap(cache, load, { key: 'k:{0}' })({})).rejects.toThrow(InvalidKeyError)
    await expect(wrapped.get(() => 1)).rejects.toThrow(InvalidKeyError)
    await expect(wrapped.set(1, () => 1)).rejects.toThrow(InvalidKeyError)
    await expect(wrapped.invalidate(() => 1)).rejects.toThrow(InvalidKeyError)
    await expect(wrapped.refresh(() => 1)).rejects.toThrow(InvalidKeyError)
    expect(() => wrapped.key(() => 1)).toThrow(InvalidKeyError)
    expect(load).not.toHaveBeenCalled()
  })

  test('exclude leaves arguments out of the default key', async () => {
    const cache = createCache({ tiers: [memory()] })
    const search = counted(
      async (query: string, _options: { signal?: AbortSignal; limit: number }) => [query],
    )
    const cachedSearch = wrap(cache, search, { exclude: ['1.signal'] })
    await cachedSearch('a', { signal: new AbortController().signal, limit: 5 })
    await cachedSearch('a', { signal: new AbortController().signal, limit: 5 })
    await cachedSearch('a', { limit: 5 })
    expect(search).toHaveBeenCalledTimes(1)
    await cachedSearch('a', { limit: 6 })
    expect(search).toHaveBeenCalledTimes(2)
    expect(() => wrap(cache, search, { key: 'k', exclude: [1] })).toThrow(
      'exclude applies only to the default key',
    )
  })

  test('100 concurrent calls make one call of the function', async () => {
    const cache = createCache({ tiers: [memory()] })
    let release!: () => void
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const slow = counted(async (id: number) => {
      await gate
      return { id }
    })
    const wrapped = wrap(cache, slow, { name: 'slow' })
    const calls = Array.from({ length: 100 }, () => wrapped(7))
    release()
    const results = await Promise.all(calls)
    expect(slow).toHaveBeenCalledTimes(1)
    expect(new Set(results).size).toBe(1)
    expect(results[0]).toEqual({ id: 7 })
  })

  test('ttl and other getOrSet options apply to every call', async () => {
    const clock = fakeClock()
    const cache = createCache({
      tiers: [memory({ clock: clock.now })],
      clock: clock.now,
      ttl: '1h',
    })
    const load = counted(async (id: string) => `v${id}`)
    const wrapped = wrap(cache, load, { name: 'load', ttl: '10s' })
    await wrapped('a')
    clock.advance(9_999)
    await wrapped('a')
    expect(load).toHaveBeenCalledTimes(1)
    clock.advance(1)
    await wrapped('a')
    expect(load).toHaveBeenCalledTimes(2)
    const conditional = wrap(cache, async (n: number) => n, {
      name: 'conditional',
      cacheIf: (n) => n > 0,
    })
    await conditional(0)
    await conditional(1)
    expect(await conditional.get(0)).toBeUndefined()
    expect(await conditional.get(1)).toBe(1)
  })

  test('bad options fail when wrapping, not at the first call', () => {
    const cache = createCache({ tiers: [memory()] })
    const fn = async (id: string) => id
    expect(() => wrap(cache, fn, { ttl: '10 minutes' })).toThrow(InvalidOptionError)
    expect(() => wrap(cache, fn, { grace: -1 })).toThrow(InvalidOptionError)
    expect(() => wrap(cache, fn, { keys: 'x' } as never)).toThrow('unknown option "keys" for wrap;')
    expect(() => wrap(cache, fn, { forceFresh: true } as never)).toThrow(
      'unknown option "forceFresh" for wrap;',
    )
    expect(() => wrap(cache, fn, { key: 'user:{' })).toThrow(InvalidOptionError)
    expect(() => wrap(cache, fn, { tags: 'users' as never })).toThrow(InvalidOptionError)
    expect(() => wrap(cache, fn, { exclude: [-1] })).toThrow(InvalidOptionError)
    expect(() => wrap({} as never, fn)).toThrow(InvalidOptionError)
    expect(() => wrap(cache, 'fn' as never)).toThrow(InvalidOptionError)
  })

  test('tags are templates or a function of the arguments, for invalidateTags', async () => {
    const cache = createCache({ tiers: [memory()] })
    const loadPost = counted(async (id: string, author: string) => ({ id, author }))
    const getPost = wrap(cache, loadPost, { name: 'getPost', tags: ['posts', 'author:{1}'] })
    const getPostByFunction = wrap(cache, loadPost, {
      name: 'getPost2',
      tags: (id, author) => [`post:${id}`, `author:${author}`],
    })
    await getPost('1', 'ada')
    await getPost('2', 'bob')
    await getPostByFunction('3', 'ada')
    await cache.invalidateTags(['author:ada'])
    await getPost('1', 'ada')
    await getPost('2', 'bob')
    await getPostByFunction('3', 'ada')
    expect(loadPost).toHaveBeenCalledTimes(5)
    await cache.invalidateTags(['posts'])
    await getPost('2', 'bob')
    expect(loadPost).toHaveBeenCalledTimes(6)
  })

  test('a tags function returning something else is an InvalidOptionError', async () => {
    const cache = createCache({ tiers: [memory()] })
    const wrapped = wrap(cache, async (id: string) => id, {
      name: 'x',
      tags: () => [''] as readonly string[],
    })
    await expect(wrapped('a')).rejects.toThrow(InvalidOptionError)
  })

  test('helpers: get, set, invalidate, refresh, original, key', async () => {
    const cache = createCache({ tiers: [memory()] })
    let version = 0
    const load = counted(async (id: string) => `${id}@${++version}`)
    const wrapped = wrap(cache, load, { key: 'item:{0}', tags: ['items'] })

    expect(await wrapped.get('a')).toBeUndefined()
    expect(load).not.toHaveBeenCalled()

    await wrapped.set('preset', 'a')
    expect(await wrapped('a')).toBe('preset')
    expect(await wrapped.get('a')).toBe('preset')
    expect(load).not.toHaveBeenCalled()

    expect(await wrapped.refresh('a')).toBe('a@1')
    expect(await wrapped('a')).toBe('a@1')

    expect(await wrapped.invalidate('a')).toBe(true)
    expect(await wrapped.invalidate('a')).toBe(false)
    expect(await wrapped('a')).toBe('a@2')

    expect(await wrapped.original('a')).toBe('a@3')
    expect(await wrapped('a')).toBe('a@2')
    expect(wrapped.original).toBe(load)
    expect(wrapped.key('a')).toBe('item:a')

    await wrapped.set('tagged', 'b')
    await cache.invalidateTags(['items'])
    expect(await wrapped.get('b')).toBeUndefined()
  })

  test('set uses the ttl of the wrap', async () => {
    const clock = fakeClock()
    const cache = createCache({
      tiers: [memory({ clock: clock.now })],
      clock: clock.now,
      ttl: '1h',
    })
    const wrapped = wrap(cache, async (id: string) => id, { name: 'w', ttl: '1s' })
    await wrapped.set('x', 'a')
    clock.advance(1_000)
    expect(await wrapped.get('a')).toBeUndefined()
  })

  test('errors are not cached, and every waiting caller gets them', async () => {
    const cache = createCache({ tiers: [memory()] })
    let fail = true
    const load = counted(async (id: string) => {
      await Promise.resolve()
      if (fail) throw new Error(`boom ${id}`)
      return id
    })
    const wrapped = wrap(cache, load, { name: 'load' })
    const results = await Promise.allSettled([wrapped('a'), wrapped('a'), wrapped('a')])
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected'])
    expect(load).toHaveBeenCalledTimes(1)
    fail = false
    expect(await wrapped('a')).toBe('a')
  })

  test('a function returning undefined rejects; null is cached', async () => {
    const cache = createCache({ tiers: [memory()] })
    const missing = wrap(cache, async (_id: string) => undefined, { name: 'missing' })
    await expect(missing('a')).rejects.toThrow(InvalidValueError)
    const absent = counted(async (_id: string) => null)
    const wrapped = wrap(cache, absent, { name: 'absent' })
    expect(await wrapped('a')).toBeNull()
    expect(await wrapped('a')).toBeNull()
    expect(absent).toHaveBeenCalledTimes(1)
  })

  test('a synchronous function is wrapped into an async one', async () => {
    const cache = createCache({ tiers: [memory()] })
    const square = counted((n: number) => n * n)
    const wrapped = wrap(cache, square)
    const pending = wrapped(3)
    expect(pending).toBeInstanceOf(Promise)
    expect(await pending).toBe(9)
    expect(await wrapped(3)).toBe(9)
    expect(square).toHaveBeenCalledTimes(1)
  })

  test('this is passed through to the function', async () => {
    const cache = createCache({ tiers: [memory()] })
    const repo = {
      prefix: 'repo',
      find: wrap(
        cache,
        async function (this: { prefix: string }, id: string) {
          return `${this.prefix}/${id}`
        },
        { name: 'find' },
      ),
    }
    expect(await repo.find('1')).toBe('repo/1')
  })

  test('a namespaced cache scopes the keys', async () => {
    const root = createCache({ tiers: [memory()] })
    const users = root.namespace('users')
    const wrapped = wrap(users, async (id: string) => id.toUpperCase(), { key: 'u:{0}' })
    await wrapped('a')
    expect(await users.get('u:a')).toBe('A')
    expect(await root.get('u:a')).toBeUndefined()
  })

  test('two processes sharing a remote tier compute the same keys', async () => {
    const shared = memoryStore()
    const first = createCache({ tiers: [memory(), shared] })
    const second = createCache({ tiers: [memory(), shared] })
    const loadA = counted(async (filter: { tags: string[]; since: Date }) => filter.tags.length)
    const loadB = counted(async (filter: { tags: string[]; since: Date }) => filter.tags.length)
    const a = wrap(first, loadA, { name: 'count' })
    const b = wrap(second, loadB, { name: 'count' })
    const since = new Date(1_700_000_000_000)
    expect(await a({ tags: ['x', 'y'], since })).toBe(2)
    expect(await b({ since: new Date(since.getTime()), tags: ['x', 'y'] })).toBe(2)
    expect(loadA).toHaveBeenCalledTimes(1)
    expect(loadB).not.toHaveBeenCalled()
  })
})
