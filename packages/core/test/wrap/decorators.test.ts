import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  type Cache,
  cachedMethod,
  createCache,
  InvalidKeyError,
  InvalidOptionError,
  memory,
} from '../../src/index.js'
import { fakeClock } from '../cache/helpers.js'
import { type DecoratorForm, importDecorated } from './compile-fixture.js'
import type * as Services from './fixtures/services.js'
import type * as StandardOnly from './fixtures/standard-only.js'

/** The same fixture, compiled with each decorator form, passes the same tests. */
describe.each<DecoratorForm>(['standard', 'legacy'])('%s decorators', (form) => {
  let services: typeof Services
  let code: string
  let cleanup: () => Promise<void>

  beforeAll(async () => {
    const compiled = await importDecorated<typeof Services>('fixtures/services.ts', form)
    services = compiled.module
    code = compiled.code
    cleanup = compiled.cleanup
  })

  afterAll(() => cleanup?.())

  test('the fixture really was compiled in this form', () => {
    // TypeScript's helper for standard decorators is __esDecorate; for legacy, __decorate.
    expect(code.includes('__esDecorate(')).toBe(form === 'standard')
    expect(code.includes('__decorate(')).toBe(form === 'legacy')
    if (form === 'legacy') expect(code).toContain('__metadata("design:paramtypes"')
  })

  function setup() {
    const cache = createCache({ tiers: [memory()] })
    const table = new services.UserTable()
    table.rows.set('1', 'ada')
    table.rows.set('2', 'bob')
    const UserService = services.userService(cache, table)
    return { cache, table, users: new UserService(), UserService }
  }

  describe('@cached', () => {
    test('caches an async method under its key template', async () => {
      const { cache, table, users } = setup()
      expect(await users.find('1')).toEqual({ id: '1', name: 'ada' })
      expect(await users.find('1')).toEqual({ id: '1', name: 'ada' })
      expect(table.reads).toBe(1)
      expect(await cache.get('user:1')).toEqual({ id: '1', name: 'ada' })
    })

    test('instances share entries: this is not part of the key', async () => {
      const { table, UserService } = setup()
      await new UserService().find('1')
      await new UserService().find('1')
      expect(table.reads).toBe(1)
    })

    test('the default key is <Class>.<method>:<arguments>', async () => {
      const { cache, table, users } = setup()
      expect(await users.search('ada')).toEqual(['ada#1'])
      expect(await users.search('ada')).toEqual(['ada#1'])
      expect(await users.search('ada', 2)).toEqual(['ada#2'])
      expect(table.reads).toBe(2)
      expect(await cache.get('UserService.search:["ada"]')).toEqual(['ada#1'])
      expect(await cache.get('UserService.search:["ada",2]')).toEqual(['ada#2'])
    })

    test('exclude, ttl and key functions work as with wrap', async () => {
      const { cache, table, users } = setup()
      await users.fetchPage('/a', { signal: new AbortController().signal })
      await users.fetchPage('/a', {})
      expect(table.reads).toBe(1)
      expect(await cache.get('UserService.fetchPage:["/a",{}]')).toBe('page /a')
      expect(await users.upper('2')).toBe('BOB')
      expect(await cache.get('upper:2')).toBe('BOB')
    })

    test('100 concurrent calls make one call of the method', async () => {
      const { table, users } = setup()
      const results = await Promise.all(Array.from({ length: 100 }, () => users.find('2')))
      expect(table.reads).toBe(1)
      expect(new Set(results).size).toBe(1)
    })

    test('a static method, with an explicit name', async () => {
      const { cache, UserService } = setup()
      expect(await UserService.count()).toBe(42)
      expect(await cache.get('countAll:[]')).toBe(42)
    })

    test('subclasses share the declaring class’s keys', async () => {
      const cache = createCache({ tiers: [memory()] })
      const { Base, Derived, Overriding } = services.inheritance(cache)
      expect(await new Base().load('x')).toBe('Base:x')
      expect(await new Derived().load('x')).toBe('Base:x')
      expect(await new Overriding().load('x')).toBe('override(Base:x)')
      expect(await cache.get('Base.load:["x"]')).toBe('Base:x')
    })

    test('a cache function of the instance, and includeThis in the key', async () => {
      const cacheA = createCache({ tiers: [memory()] })
      const table = new services.UserTable()
      const acme = new services.TenantService(cacheA, 'acme', table)
      const globex = new services.TenantService(cacheA, 'globex', table)
      await acme.find('1')
      await acme.find('1')
      await globex.find('1')
      expect(table.reads).toBe(2)
      expect(await cacheA.get('acme:user:1')).toEqual({ id: 'acme/1', name: 'unknown' })
      expect(await cacheA.get('globex:user:1')).toEqual({ id: 'globex/1', name: 'unknown' })

      const cacheB = createCache({ tiers: [memory()] })
      await new services.TenantService(cacheB, 'acme', table).find('1')
      expect(await cacheB.get('acme:user:1')).toBeDefined()
      expect(table.reads).toBe(3)
    })

    test('key functions get the instance as this', async () => {
      const cache = createCache({ tiers: [memory()] })
      const tenant = new services.TenantService(cache, 'initech', new services.UserTable())
      await tenant.findByThis('5')
      expect(await cache.get('by-this:initech:5')).toEqual({ id: 'initech/5', name: 'unknown' })
    })

    test('a cache function returning something else rejects with InvalidOptionError', async () => {
      const Broken = services.badCacheGetter()
      await expect(new Broken().load()).rejects.toThrow(InvalidOptionError)
    })

    test('a non-Cache is refused when decorating', () => {
      expect(() => services.userService({} as Cache, new services.UserTable())).toThrow(
        InvalidOptionError,
      )
    })

    test('a method called without an instance: no default key (standard), the decorated class (legacy)', async () => {
      const { users } = setup()
      const search = users.search
      if (form === 'standard') {
        await expect(search.call(undefined as never, 'x')).rejects.toThrow(InvalidKeyError)
      } else {
        expect(await search.call(undefined as never, 'x')).toEqual(['x#1'])
      }
    })
  })

  describe('cachedMethod helpers', () => {
    test('key, get, set, invalidate, refresh, original and stats of a method', async () => {
      const { cache, table, users } = setup()
      const find = cachedMethod(users, 'find')
      expect(find.key('1')).toBe('user:1')
      expect(await find.get('1')).toBeUndefined()
      await find.set({ id: '1', name: 'preset' }, '1')
      expect(await users.find('1')).toEqual({ id: '1', name: 'preset' })
      expect(table.reads).toBe(0)
      expect(await find.refresh('1')).toEqual({ id: '1', name: 'ada' })
      expect(await cache.get('user:1')).toEqual({ id: '1', name: 'ada' })
      expect(await find.invalidate('1')).toBe(true)
      expect(await find.original('2')).toEqual({ id: '2', name: 'bob' })
      expect(await find.get('2')).toBeUndefined()
      await users.find('1')
      await users.find('1')
      expect(find.stats()).toEqual({ hits: 2, misses: 1, errors: 0, loads: 2 })
      expect(cachedMethod(users, 'search').key('ada')).toBe('UserService.search:["ada"]')
    })

    test('stats are the method’s, across instances; helpers of any instance share them', async () => {
      const { UserService } = setup()
      const a = new UserService()
      const b = new UserService()
      await Promise.all([a.find('2'), b.find('2'), a.find('2')])
      await b.find('2')
      expect(cachedMethod(a, 'find').stats()).toEqual({ hits: 1, misses: 3, errors: 0, loads: 1 })
      expect(cachedMethod(b, 'find').stats()).toEqual(cachedMethod(a, 'find').stats())
    })

    test('includeThis and a cache function of the instance apply to the helpers', async () => {
      const cacheA = createCache({ tiers: [memory()] })
      const cacheB = createCache({ tiers: [memory()] })
      const table = new services.UserTable()
      const acme = new services.TenantService(cacheA, 'acme', table)
      const globex = new services.TenantService(cacheB, 'acme', table)
      const initech = new services.TenantService(cacheA, 'initech', table)
      await acme.find('1')
      await globex.find('1')
      await initech.find('1')
      expect(cachedMethod(acme, 'find').key('1')).toBe('acme:user:1')
      expect(await cachedMethod(acme, 'find').invalidate('1')).toBe(true)
      expect(await cacheA.get('acme:user:1')).toBeUndefined()
      expect(await cacheA.get('initech:user:1')).toBeDefined()
      expect(await cacheB.get('acme:user:1')).toBeDefined()
    })

    test('static methods, subclasses and overrides find the decorated method', async () => {
      const { UserService } = setup()
      expect(cachedMethod(UserService, 'count').key()).toBe('countAll:[]')
      const cache = createCache({ tiers: [memory()] })
      const { Base, Derived, Overriding } = services.inheritance(cache)
      await new Derived().load('x')
      expect(await cachedMethod(new Overriding(), 'load').get('x')).toBe('Derived:x')
      expect(cachedMethod(new Base(), 'load').key('x')).toBe('Base.load:["x"]')
    })

    test('a method that is not @cached is an InvalidOptionError naming it', () => {
      const { users } = setup()
      const error = (() => {
        try {
          cachedMethod(users, 'rename')
        } catch (caught) {
          return caught
        }
      })()
      expect(InvalidOptionError.isInstance(error)).toBe(true)
      expect((error as InvalidOptionError).option).toBe('method')
      expect((error as Error).message).toContain('rename is not a @cached method')
    })

    test('ttl as a function of the result', async () => {
      const clock = fakeClock()
      const cache = createCache({ tiers: [memory({ clock: clock.now })], clock: clock.now })
      const table = new services.UserTable()
      table.rows.set('1', 'ada')
      const users = new (services.userService(cache, table))()
      await users.findOrNull('1')
      await users.findOrNull('404')
      clock.advance(30_000)
      expect(await cachedMethod(users, 'findOrNull').get('404')).toBeUndefined()
      expect(await cachedMethod(users, 'findOrNull').get('1')).toEqual({ id: '1', name: 'ada' })
    })
  })

  describe('@invalidates', () => {
    test('deletes the key after the method resolves', async () => {
      const { table, users } = setup()
      await users.find('1')
      await users.rename('1', 'ada lovelace')
      expect(await users.find('1')).toEqual({ id: '1', name: 'ada lovelace' })
      expect(table.reads).toBe(2)
    })

    test('deletes several keys, from templates or a function', async () => {
      const { table, users } = setup()
      await users.find('1')
      await users.find('2')
      await users.swap('1', '2')
      expect((await users.find('1')).name).toBe('bob')
      expect((await users.find('2')).name).toBe('ada')
      expect(table.reads).toBe(4)
      expect(await users.renameAll(['1', '2'], 'x')).toBe(2)
      expect((await users.find('1')).name).toBe('x')
      expect((await users.find('2')).name).toBe('x')
    })

    test('invalidates tags', async () => {
      const { cache, table, users } = setup()
      await users.find('1')
      await users.find('2')
      await users.search('q')
      await users.importAll({ '1': 'new ada', '2': 'new bob' })
      expect((await users.find('1')).name).toBe('new ada')
      expect((await users.find('2')).name).toBe('new bob')
      expect(table.reads).toBe(5)
      expect(await cache.get('UserService.search:["q"]')).toEqual(['q#1'])
    })

    test('a method that rejects invalidates nothing', async () => {
      const { table, users } = setup()
      await users.find('1')
      await expect(users.failingUpdate('1')).rejects.toThrow('update failed')
      await users.find('1')
      expect(table.reads).toBe(1)
    })

    test('includeThis scopes the keys it deletes', async () => {
      const cache = createCache({ tiers: [memory()] })
      const table = new services.UserTable()
      const acme = new services.TenantService(cache, 'acme', table)
      const globex = new services.TenantService(cache, 'globex', table)
      await acme.find('1')
      await globex.find('1')
      await acme.rename('1', 'renamed')
      expect((await acme.find('1')).name).toBe('renamed')
      expect((await globex.find('1')).name).toBe('unknown')
      expect(table.reads).toBe(3)
    })
  })
})

describe('standard-only decorators', () => {
  let services: typeof StandardOnly
  let cleanup: () => Promise<void>

  beforeAll(async () => {
    const compiled = await importDecorated<typeof StandardOnly>('fixtures/standard-only.ts')
    services = compiled.module
    cleanup = compiled.cleanup
  })

  afterAll(() => cleanup?.())

  test('a private method needs a name or a key', async () => {
    const cache = createCache({ tiers: [memory()] })
    expect(() => services.privateMethodWithoutName(cache)).toThrow(InvalidOptionError)
    expect(() => services.privateMethodWithoutName(cache)).toThrow('private method #secret')
    const Secretive = services.privateMethodWithName(cache)
    const secretive = new Secretive()
    expect(await secretive.reveal(2)).toBe(4)
    expect(await secretive.reveal(2)).toBe(4)
    expect(secretive.calls).toBe(1)
    expect(await cache.get('Secretive.secret:[2]')).toBe(4)
  })
})
