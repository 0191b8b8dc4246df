import { describe, expect, test } from 'vitest'
import { createCache, MemoryBusHub, memory, memoryStore } from '../../src/index.js'
import { fakeClock } from './helpers.js'

const tick = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('tags', () => {
  test('invalidateTags is hard: no stale or grace fallback, in every tier', async () => {
    const clock = fakeClock()
    const shared = memoryStore({ clock: clock.now })
    const cache = createCache({
      tiers: [memory({ clock: clock.now }), shared],
      clock: clock.now,
      ttl: '1m',
      grace: '1h',
      staleWhileRevalidate: '1h',
    })
    await cache.set('post:1', 'p1', { tags: ['posts', 'user:7'] })
    await cache.set('post:2', 'p2', { tags: ['posts'] })
    clock.advance(1)
    await cache.invalidateTags(['user:7'])
    expect(await cache.get('post:1')).toBeUndefined()
    expect(await cache.get('post:2')).toBe('p2')
    const failing = () => Promise.reject(new Error('db down'))
    await expect(cache.getOrSet('post:1', failing)).rejects.toThrow('db down')
    // A second cache on the same remote tier, with a cold memory tier, agrees.
    const other = createCache({ tiers: [memory({ clock: clock.now }), shared], clock: clock.now })
    expect(await other.get('post:1')).toBeUndefined()
    expect(await other.get('post:2')).toBe('p2')
  })

  test('expireTags is soft: entries become stale and are refreshed', async () => {
    const { cache, clock } = (() => {
      const clock = fakeClock()
      return {
        clock,
        cache: createCache({
          tiers: [memory({ clock: clock.now })],
          clock: clock.now,
          ttl: '1m',
          staleWhileRevalidate: '1h',
        }),
      }
    })()
    await cache.set('k', 'old', { tags: ['t'] })
    clock.advance(1)
    await cache.expireTags(['t'])
    expect(await cache.get('k')).toBeUndefined()
    expect(await cache.getOrSet('k', () => 'new')).toBe('old') // stale, refreshing
    await tick()
    await tick()
    expect(await cache.get('k')).toBe('new')
  })

  test('entries written after an invalidation are served', async () => {
    const clock = fakeClock()
    const cache = createCache({ tiers: [memory({ clock: clock.now })], clock: clock.now })
    await cache.set('k', 'old', { tags: ['t'] })
    clock.advance(1)
    await cache.invalidateTags(['t'])
    clock.advance(1)
    await cache.set('k', 'new', { tags: ['t'] })
    expect(await cache.get('k')).toBe('new')
  })

  test('cost does not grow with tagged entries: one store write per tag and kind', async () => {
    const store = memoryStore()
    let writes = 0
    const set = store.set.bind(store)
    store.set = (key, value, expiresAt) => {
      writes++
      return set(key, value, expiresAt)
    }
    const setIfNewer = store.setIfNewer!.bind(store)
    store.setIfNewer = (key, value, expiresAt, version) => {
      writes++
      return setIfNewer(key, value, expiresAt, version)
    }
    const cache = createCache({ tiers: [store] })
    await cache.setMany(
      Array.from({ length: 500 }, (_, i) => ({ key: `k${i}`, value: i, tags: ['bulk'] })),
    )
    writes = 0
    await cache.invalidateTags(['bulk'])
    expect(writes).toBe(1)
    expect(await cache.getMany(['k0', 'k499'])).toEqual([undefined, undefined])
  })

  test('a bus carries tag invalidations to other processes’ memory tiers at once', async () => {
    const hub = new MemoryBusHub()
    const shared = memoryStore()
    const a = createCache({ tiers: [memory(), shared], bus: hub.bus(), tagSyncInterval: '1h' })
    const b = createCache({ tiers: [memory(), shared], bus: hub.bus(), tagSyncInterval: '1h' })
    await a.set('k', 'v', { tags: ['t'] })
    expect(await b.get('k')).toBe('v') // now in b's memory tier
    await new Promise((r) => setTimeout(r, 2))
    await a.invalidateTags(['t'])
    await tick()
    expect(await b.get('k')).toBeUndefined()
  })
})

describe('namespaces', () => {
  test('clear() removes exactly the subtree, in every tier', async () => {
    const shared = memoryStore()
    const local = memory()
    const root = createCache({ tiers: [local, shared], prefix: 'app' })
    const org = root.namespace('org:1')
    const user = org.namespace('user:2')
    const sibling = root.namespace('org:10')
    await Promise.all([
      root.set('top', 1),
      org.set('settings', 2),
      user.set('profile', 3),
      sibling.set('settings', 4),
    ])
    expect(await shared.get('app:org%3A1:user%3A2:#profile')).toBeDefined()
    await org.clear()
    expect(await user.get('profile')).toBeUndefined()
    expect(await org.get('settings')).toBeUndefined()
    expect(await sibling.get('settings')).toBe(4)
    expect(await root.get('top')).toBe(1)
    expect(local.peek('app:org%3A10:#settings')).toBeDefined()
  })

  test('namespaces share tiers, stats and lifecycle', async () => {
    const root = createCache({ tiers: [memory()] })
    const ns = root.namespace('ns')
    await ns.set('k', 1)
    expect(await ns.get('k')).toBe(1)
    expect(await root.get('ns:k')).toBeUndefined() // a namespace is not a key prefix
    expect(await root.get('k')).toBeUndefined()
    expect(root.stats().sets).toBe(1)
    await ns.close()
    await expect(root.get('k')).rejects.toThrow(/closed/)
  })

  test('a namespace clear reaches other processes over the bus', async () => {
    const hub = new MemoryBusHub()
    const shared = memoryStore()
    const a = createCache({ tiers: [memory(), shared], bus: hub.bus() })
    const b = createCache({ tiers: [memory(), shared], bus: hub.bus() })
    await a.namespace('n').set('k', 'v')
    expect(await b.namespace('n').get('k')).toBe('v')
    await a.namespace('n').clear()
    await tick()
    expect(await b.namespace('n').get('k')).toBeUndefined()
  })

  test('any key is a caller key: none reaches the space core keeps for tags and locks', async () => {
    const store = memoryStore()
    const cache = createCache({ tiers: [store] })
    await cache.set('post', 1, { tags: ['t'] })
    await cache.invalidateTags(['t'])
    for (const key of ['__stack:tag:invalidated:t', '!tag:i:#t', '#!tag:i:#t'])
      await cache.set(key, 'x')
    await cache.namespace('!tag:i:').clear()
    await cache.namespace('__stack').clear()
    const later = createCache({ tiers: [store] }) // another process, learning tags from the store
    expect(await later.get('post')).toBeUndefined()
    expect(await later.get('__stack:tag:invalidated:t')).toBe('x')
  })
})
