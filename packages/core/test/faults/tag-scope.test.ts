/**
 * Issue 9, guarantee 4 for tags: a tag belongs to the namespace that wrote the entry
 * (`tagScope: 'namespace'`, the default); `tagScope: 'cache'` makes tags cache-wide.
 * Bad tags are refused at the write with a coded error.
 */
import { describe, expect, test } from 'vitest'
import { createCache, memoryStore } from '../../src/index.js'
import { expectCodedError, faultyCache, secondProcess, sleep } from './helpers.js'

describe.each([{ local: true }, { local: false }])('local tier: $local', ({ local }) => {
  test("namespace('tenantA').invalidateTags(['user:1']) leaves tenantB's entries alone", async () => {
    const { cache, store } = faultyCache({ local })
    const [a, b] = [cache.namespace('tenantA'), cache.namespace('tenantB')]
    await a.set('profile', 'A', { tags: ['user:1'] })
    await b.set('profile', 'B', { tags: ['user:1'] })
    await sleep(2)
    await a.invalidateTags(['user:1'])
    expect(await a.get('profile')).toBeUndefined()
    expect(await b.get('profile')).toBe('B')
    const other = secondProcess(store.inner)
    expect(await other.namespace('tenantA').get('profile')).toBeUndefined()
    expect(await other.namespace('tenantB').get('profile')).toBe('B')
  })

  test('expireTags is scoped the same way', async () => {
    const { cache } = faultyCache({ local })
    await cache.namespace('tenantB').set('profile', 'B', { tags: ['user:1'] })
    await sleep(2)
    await cache.namespace('tenantA').expireTags(['user:1'])
    expect(await cache.namespace('tenantB').get('profile')).toBe('B')
  })

  test("namespace 'a:b' tag 't' and namespace 'a' tag 'b:t' are different tags", async () => {
    const { cache } = faultyCache({ local })
    await cache.namespace('a').set('x', 'in a', { tags: ['b:t'] })
    await cache.namespace('a:b').set('x', 'in a:b', { tags: ['t'] })
    await sleep(2)
    await cache.namespace('a:b').invalidateTags(['t'])
    expect(await cache.namespace('a').get('x')).toBe('in a')
    await cache.namespace('a').invalidateTags(['b:t'])
    expect(await cache.namespace('a').get('x')).toBeUndefined()
  })

  test("tagScope: 'cache' makes a tag cache-wide (the explicit choice)", async () => {
    const { cache } = faultyCache({ local, extra: { tagScope: 'cache' } })
    await cache.namespace('tenantB').set('profile', 'B', { tags: ['user:1'] })
    await cache.set('root', 'R', { tags: ['user:1'] })
    await sleep(2)
    await cache.namespace('tenantA').invalidateTags(['user:1'])
    expect(await cache.namespace('tenantB').get('profile')).toBeUndefined()
    expect(await cache.get('root')).toBeUndefined()
  })
})

describe('tags refused at the write', () => {
  const cache = () => createCache({ tiers: [memoryStore()] })

  test.each(['user:\uD800', '\uDC00', 'a\uD800b'])(
    'a lone-surrogate tag %j is refused by set and getOrSet with a coded error',
    async (tag) => {
      const c = cache()
      await expectCodedError(c.set('k', 'v', { tags: [tag] }))
      await expectCodedError(c.getOrSet('k', () => 'v', { tags: [tag] }))
      expect(await c.get('k')).toBeUndefined()
    },
  )

  test('a well-formed astral tag round-trips and invalidates across processes', async () => {
    const store = memoryStore()
    const c = createCache({ tiers: [store] })
    await c.set('k', 'v', { tags: ['user:\u{1F600}'] })
    await sleep(2)
    await c.invalidateTags(['user:\u{1F600}'])
    expect(await createCache({ tiers: [store] }).get('k')).toBeUndefined()
  })

  test('more than 65,535 tags are refused by set with a coded error', async () => {
    const c = cache()
    const tags = Array.from({ length: 65_536 }, (_, i) => `t${i}`)
    await expectCodedError(c.set('k', 'v', { tags }))
    expect(await c.get('k')).toBeUndefined()
  })
})
