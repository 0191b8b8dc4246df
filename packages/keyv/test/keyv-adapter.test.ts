import {
  createCache,
  memory,
  memoryStore,
  type RemoteStore,
  StoreUnavailableError,
} from '@stack/core'
import { createCache as createCacheManager } from 'cache-manager'
import Keyv from 'keyv'
import { expect, test } from 'vitest'
import { stackKeyvAdapter } from '../src/index.js'

function fakeClock() {
  let now = Date.now()
  return {
    now: () => now,
    advance(ms: number) {
      now += ms
    },
  }
}

test("Keyv's namespace is a cache namespace: entries land there and clear() removes only it", async () => {
  const cache = createCache({ tiers: [memory()] })
  await cache.set('sessions-outside', 'root value')
  const keyv = new Keyv({ store: stackKeyvAdapter(cache), namespace: 'sessions' })
  await keyv.set('abc', { user: 1 })
  expect(await cache.namespace('sessions').get('abc')).toBeTypeOf('string') // Keyv's serialized form
  await keyv.clear()
  expect(await keyv.get('abc')).toBeUndefined()
  expect(await cache.get('sessions-outside')).toBe('root value')
  await cache.close()
})

test("a Keyv TTL is the entry's lifetime in the cache itself, and no TTL means forever", async () => {
  const clock = fakeClock()
  // Keyv checks its own `expires` with Date.now; the cache runs on its own clock, so what
  // expires here is the cache entry itself.
  const cache = createCache({ tiers: [memory(), memoryStore()], clock: clock.now, ttl: '1m' })
  const keyv = new Keyv({ store: stackKeyvAdapter(cache), namespace: 'n' })
  await keyv.set('short', 'v', 1_000)
  await keyv.set('forever', 'v')
  clock.advance(999)
  expect(await cache.namespace('n').get('short')).toBeDefined()
  clock.advance(2)
  expect(await cache.namespace('n').get('short')).toBeUndefined()
  clock.advance(365 * 24 * 3_600_000) // far past the cache's default ttl of 1m
  expect(await cache.namespace('n').get('forever')).toBeDefined()
  await cache.close()
})

test("the cache's errors reach Keyv's error event", async () => {
  const failing: RemoteStore = {
    name: 'down',
    contractVersion: 1,
    capabilities: { batch: false, add: false, keys: false, ttlGranularity: 'ms' },
    get: () => Promise.reject(new StoreUnavailableError('down', 'unreachable')),
    set: () => Promise.reject(new StoreUnavailableError('down', 'unreachable')),
    delete: () => Promise.reject(new StoreUnavailableError('down', 'unreachable')),
    clear: () => Promise.resolve(),
    close: () => Promise.resolve(),
  }
  const cache = createCache({ tiers: [memory(), failing] })
  const keyv = new Keyv({ store: stackKeyvAdapter(cache) })
  const errors: unknown[] = []
  keyv.on('error', (error: unknown) => errors.push(error))
  expect(await keyv.get('k')).toBeUndefined() // a failing lower tier is a counted miss
  expect(errors.some((error) => StoreUnavailableError.isInstance(error))).toBe(true)
  await cache.close()
})

test('disconnect closes the cache only with closeOnDisconnect', async () => {
  const kept = createCache({ tiers: [memory()] })
  await new Keyv({ store: stackKeyvAdapter(kept) }).disconnect()
  await kept.set('k', 1)
  const owned = createCache({ tiers: [memory()] })
  await new Keyv({ store: stackKeyvAdapter(owned, { closeOnDisconnect: true }) }).disconnect()
  await expect(owned.set('k', 1)).rejects.toMatchObject({ code: 'E_CLOSED' })
  await kept.close()
})

test('cache-manager (what NestJS builds on) runs on a @stack cache through Keyv', async () => {
  const cache = createCache({ tiers: [memory(), memoryStore()] })
  const manager = createCacheManager({
    stores: [new Keyv({ store: stackKeyvAdapter(cache), namespace: 'nest' })],
  })
  let calls = 0
  const load = async () => ({ id: 1, calls: ++calls })
  expect(await manager.wrap('user:1', load, 60_000)).toEqual({ id: 1, calls: 1 })
  expect(await manager.wrap('user:1', load, 60_000)).toEqual({ id: 1, calls: 1 })
  await manager.set('plain', 'value', 60_000)
  expect(await manager.get('plain')).toBe('value')
  expect(await cache.namespace('nest').has('plain')).toBe(true)
  await manager.del('plain')
  expect(await manager.get('plain')).toBeUndefined()
  await cache.close()
})
