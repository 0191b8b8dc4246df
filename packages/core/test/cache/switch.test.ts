import { describe, expect, test } from 'vitest'
import {
  type Cache,
  ClosedError,
  createCache,
  memory,
  memoryStore,
  type RemoteStore,
} from '../../src/index.js'
import { fakeClock } from './helpers.js'

const tick = () => new Promise((resolve) => setTimeout(resolve, 0))

function chain() {
  const clock = fakeClock()
  const middle = memoryStore({ clock: clock.now })
  const bottom = memoryStore({ clock: clock.now })
  const cache = createCache({ tiers: [memory(), middle, bottom], clock: clock.now, ttl: '1m' })
  /** What another process reading only `store` would get for `key` in namespace `ns`. */
  const elsewhere = (store: RemoteStore, key: string) =>
    createCache({ tiers: [{ ...store, close: async () => {} }], clock: clock.now })
      .namespace('ns')
      .get(key)
  return { cache, clock, middle, bottom, elsewhere }
}

const removals: [string, (ns: Cache) => Promise<unknown>][] = [
  ['delete', (ns) => ns.delete('k')],
  ['deleteMany', (ns) => ns.deleteMany(['k', 'other'])],
  ['clear', (ns) => ns.clear()],
  ['invalidateTags', (ns) => ns.invalidateTags(['t'])],
  ['expireTags', (ns) => ns.expireTags(['t'])],
]

describe('removals while disabled', () => {
  test.each(removals)(
    '%s reaches every tier, so enable() does not bring the value back',
    async (_, remove) => {
      const { cache, middle, bottom, elsewhere } = chain()
      const ns = cache.namespace('ns')
      await ns.set('k', 'old', { tags: ['t'] })
      expect(await elsewhere(bottom, 'k')).toBe('old')
      cache.disable()
      await remove(ns)
      // Already gone from the shared tiers, before the switch is back on.
      expect(await elsewhere(middle, 'k')).toBeUndefined()
      expect(await elsewhere(bottom, 'k')).toBeUndefined()
      cache.enable()
      expect(await ns.get('k')).toBeUndefined()
      expect(await ns.getEntry('k')).toBeUndefined()
      expect(await ns.has('k')).toBe(false)
      let calls = 0
      expect(await ns.getOrSet('k', () => `new ${++calls}`)).toBe('new 1')
      expect(calls).toBe(1)
    },
  )

  test("the root cache's clear while disabled (switched off from a namespace) reaches its namespaces", async () => {
    const { cache, bottom, elsewhere } = chain()
    await cache.namespace('ns').set('k', 'old')
    cache.namespace('ns').disable()
    expect(cache.enabled).toBe(false)
    await cache.clear()
    cache.enable()
    expect(await cache.namespace('ns').get('k')).toBeUndefined()
    expect(await elsewhere(bottom, 'k')).toBeUndefined()
  })
})

describe('while disabled', () => {
  test('reads miss although the tiers hold the value; it is served again after enable()', async () => {
    const { cache } = chain()
    await cache.set('k', 'kept')
    cache.disable()
    expect(cache.enabled).toBe(false)
    expect(await cache.get('k')).toBeUndefined()
    expect(await cache.getEntry('k')).toBeUndefined()
    expect(await cache.get('k', { tiers: 'local' })).toBeUndefined()
    expect(await cache.has('k')).toBe(false)
    expect(await cache.getMany(['k'])).toEqual([undefined])
    expect(cache.stats().misses).toBe(4)
    cache.enable()
    expect(await cache.get('k')).toBe('kept')
  })

  test('getOrSet and wrapped functions call the loader every time and cache nothing anywhere', async () => {
    const { cache, middle, bottom } = chain()
    await cache.set('k', 'before')
    cache.disable()
    let calls = 0
    expect(await cache.getOrSet('k', () => ++calls)).toBe(1)
    expect(await cache.getOrSet('k', () => ++calls)).toBe(2)
    expect(await cache.getOrSet('fresh', () => ++calls)).toBe(3)
    const double = cache.wrap(
      async (n: number) => {
        calls++
        return n * 2
      },
      { name: 'double' },
    )
    expect(await double(2)).toBe(4)
    expect(await double(2)).toBe(4)
    expect(calls).toBe(5)
    await expect(cache.getOrSet('u', () => undefined)).rejects.toThrow(/null/)
    expect(await middle.get('#fresh')).toBeUndefined()
    expect(await bottom.get('#fresh')).toBeUndefined()
    cache.enable()
    expect(await cache.get('k')).toBe('before') // the loads above wrote nothing
    expect(await cache.get('fresh')).toBeUndefined()
    expect(await double(2)).toBe(4)
    expect(await double(2)).toBe(4)
    expect(calls).toBe(6)
  })

  test('set, add and setMany write nothing', async () => {
    const { cache, bottom } = chain()
    cache.disable()
    await cache.set('a', 1)
    expect(await cache.add('b', 2)).toBe(false)
    await cache.setMany([{ key: 'c', value: 3 }])
    await expect(cache.set('d', undefined)).rejects.toThrow(/undefined/) // still validated
    cache.enable()
    expect(await cache.getMany(['a', 'b', 'c'])).toEqual([undefined, undefined, undefined])
    expect(await bottom.get('#a')).toBeUndefined()
    expect(await cache.add('b', 2)).toBe(true)
  })

  test('a load that began before disable() caches nothing when it ends after', async () => {
    const { cache, bottom } = chain()
    let finish!: (value: string) => void
    const loading = cache.getOrSet('k', () => new Promise<string>((resolve) => (finish = resolve)))
    await tick()
    cache.disable()
    finish('late')
    expect(await loading).toBe('late')
    cache.enable()
    expect(await cache.get('k')).toBeUndefined()
    expect(await bottom.get('#k')).toBeUndefined()
  })

  test('getOrSetSync on a memory-only cache calls the loader every time', () => {
    const cache = createCache()
    expect(cache.getOrSetSync('k', () => 1)).toBe(1)
    cache.disable()
    expect(cache.getOrSetSync('k', () => 2)).toBe(2)
    expect(cache.getOrSetSync('k', () => 3)).toBe(3)
    cache.enable()
    expect(cache.getOrSetSync('k', () => 4)).toBe(1)
  })
})

describe('the switch', () => {
  test('is shared by a cache and its namespaces', async () => {
    const cache = createCache()
    const ns = cache.namespace('a').namespace('b')
    await ns.set('k', 1)
    cache.disable()
    expect(ns.enabled).toBe(false)
    expect(await ns.get('k')).toBeUndefined()
    ns.enable()
    expect(cache.enabled).toBe(true)
    expect(await ns.get('k')).toBe(1)
  })

  test('starts as the enabled option or STACK_CACHE_DISABLED, and enable() turns it on', async () => {
    const off = createCache({ enabled: false })
    expect(off.enabled).toBe(false)
    await off.set('k', 1)
    off.enable()
    expect(await off.get('k')).toBeUndefined()
    await off.set('k', 1)
    expect(await off.get('k')).toBe(1)
    process.env.STACK_CACHE_DISABLED = '1'
    try {
      const byEnv = createCache()
      expect(byEnv.enabled).toBe(false)
      byEnv.enable()
      expect(byEnv.enabled).toBe(true)
    } finally {
      delete process.env.STACK_CACHE_DISABLED
    }
  })

  test('logs each change once, and refuses calls after close()', async () => {
    const lines: string[] = []
    const logger = {
      info: (m: string) => lines.push(m),
      warn: (m: string) => lines.push(m),
      error: () => {},
    }
    const cache = createCache({ logger })
    cache.enable() // already on: no line
    cache.disable()
    cache.enable()
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/disabled/)
    expect(lines[1]).toMatch(/enabled/)
    await cache.close()
    expect(() => cache.disable()).toThrow(ClosedError)
  })
})
