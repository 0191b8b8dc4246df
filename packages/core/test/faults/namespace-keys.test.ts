/**
 * Issue 9, guarantee 4: distinct (namespace path, key) pairs never meet in one stored
 * key, whatever the strings contain, in the memory tier and in remote tiers alike.
 */
import { describe, expect, test } from 'vitest'
import { type Cache, type CacheEntry, createCache, memory, memoryStore } from '../../src/index.js'

describe.each([
  { tiers: 'memory tier', make: () => createCache({ tiers: [memory<CacheEntry>()] }) },
  { tiers: 'remote tier', make: () => createCache({ tiers: [memoryStore()] }) },
  {
    tiers: 'memory + remote',
    make: () => createCache({ tiers: [memory<CacheEntry>(), memoryStore()] }),
  },
])('$tiers', ({ make }) => {
  test("namespace('a:b').set('x') is not namespace('a').get('b:x')", async () => {
    const cache = make()
    await cache.namespace('a:b').set('x', 'from a:b')
    expect(await cache.namespace('a').get('b:x')).toBeUndefined()
  })

  test("namespace('a').set('b:x') does not overwrite namespace('a:b')'s x", async () => {
    const cache = make()
    await cache.namespace('a:b').set('x', 'from a:b')
    await cache.namespace('a').set('b:x', 'from a')
    expect(await cache.namespace('a:b').get('x')).toBe('from a:b')
    expect(await cache.namespace('a').get('b:x')).toBe('from a')
  })

  test("namespace('a').clear() does not wipe namespace('a:b')", async () => {
    const cache = make()
    await cache.namespace('a:b').set('x', 'from a:b')
    await cache.namespace('a').clear()
    expect(await cache.namespace('a:b').get('x')).toBe('from a:b')
  })

  test("namespace('a:').set('x') is not namespace('a').get(':x'), nor the reverse", async () => {
    const cache = make()
    await cache.namespace('a:').set('x', 'from a:')
    expect(await cache.namespace('a').get(':x')).toBeUndefined()
    await cache.namespace('a').set(':x', 'from a')
    expect(await cache.namespace('a:').get('x')).toBe('from a:')
  })

  test('nested namespaces are not flat ones: a → b is not "a:b"', async () => {
    const cache = make()
    await cache.namespace('a').namespace('b').set('x', 'nested')
    await cache.namespace('a:b').set('x', 'flat')
    expect(await cache.namespace('a').namespace('b').get('x')).toBe('nested')
    await cache.namespace('a:b').clear()
    expect(await cache.namespace('a').namespace('b').get('x')).toBe('nested')
  })

  test('a root key never reads or clears a namespace: get("a:x") vs namespace("a")', async () => {
    const cache = make()
    await cache.namespace('a').set('x', 'namespaced')
    expect(await cache.get('a:x')).toBeUndefined()
    await cache.set('a:x', 'root')
    expect(await cache.namespace('a').get('x')).toBe('namespaced')
    await cache.delete('a:x')
    expect(await cache.namespace('a').get('x')).toBe('namespaced')
  })

  test.each(['%', '%3A', '#', '!', '\\', '/', '*', '__stack', 'ü:é', '\u{1F600}'])(
    'hostile namespace id %j keeps to itself',
    async (hostile) => {
      const cache: Cache = make()
      const ns = cache.namespace(`a${hostile}`)
      await ns.set('x', 'hostile')
      await cache.namespace('a').set(`${hostile}x`, 'plain')
      await cache.namespace('a').clear()
      expect(await ns.get('x')).toBe('hostile')
      await ns.clear()
      await cache.namespace('a').set(`${hostile}x`, 'plain')
      expect(await cache.namespace('a').get(`${hostile}x`)).toBe('plain')
    },
  )

  test.each([
    ['a:b', 'a%3Ab'],
    ['a:b', 'a\\:b'],
    ['a:', 'a%3A'],
    ['a', 'a:'],
    ['a|b', 'a'],
  ])('namespaces %j and %j never share an entry (escaping is injective)', async (one, two) => {
    const cache = make()
    await cache.namespace(one).set('x', one)
    await cache.namespace(two).set('x', two)
    expect(await cache.namespace(one).get('x')).toBe(one)
    await cache.namespace(two).clear()
    expect(await cache.namespace(one).get('x')).toBe(one)
  })
})
