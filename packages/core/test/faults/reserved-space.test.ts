/**
 * Issue 9, guarantee 4 and DESIGN §11: core's own keys (tag timestamps, locks) live in
 * a space no user key or namespace reaches. Every user key is writable, `__stack:`
 * ones included, and no user call can erase an invalidation or steal a lock. Checked
 * with a second cache over the same store ("another process"), which only knows what
 * the store holds.
 */
import { expect, test } from 'vitest'
import { createCache, memoryStore } from '../../src/index.js'
import { attack, keysWrittenBy, rawKeys, secondProcess, settle, sleep } from './helpers.js'

const RESERVED_LOOKALIKES = [
  '__stack:tag:invalidated:t',
  '__stack:tag:expired:t',
  '__stack:lock:k',
  '__stack:',
]

test.each(RESERVED_LOOKALIKES)('user key %j is an ordinary, writable key', async (key) => {
  const cache = createCache({ tiers: [memoryStore()] })
  await cache.set(key, 'mine')
  expect(await cache.get(key)).toBe('mine')
  expect(await cache.delete(key)).toBe(true)
  await cache.namespace('__stack').set('x', 'mine too')
  expect(await cache.namespace('__stack').get('x')).toBe('mine too')
})

test('no user key or namespace reaches a tag invalidation: another process still sees it', async () => {
  const store = memoryStore()
  const cache = createCache({ tiers: [store] })
  await cache.set('k', 'tagged', { tags: ['t'] })
  await sleep(2) // the invalidation must be later than the entry's createdAt
  const internal = await keysWrittenBy(store, () => cache.invalidateTags(['t']))
  expect(internal.length, 'invalidateTags stores something').toBeGreaterThan(0)

  for (const key of [...RESERVED_LOOKALIKES, ...internal]) await attack(cache, key)
  await cache.namespace('__stack').clear()
  await cache.namespace('__stack').namespace('tag').clear()

  expect(await secondProcess(store).get('k')).toBeUndefined()
  expect(await createCache({ tiers: [store] }).getOrSet('k', () => 'reloaded')).toBe('reloaded')
})

test('no user key or namespace can release or steal a distributed lock', async () => {
  const store = memoryStore()
  const lock = { distributedLock: { timeout: '10s', retryInterval: 5 } }
  const holder = secondProcess(store, lock)
  let finish!: (value: string) => void
  const holding = holder.getOrSet('k', () => new Promise<string>((resolve) => (finish = resolve)))
  await expect.poll(() => finish).toBeDefined()

  const everyKey = await rawKeys(store)
  const attacker = createCache({ tiers: [store] })
  for (const key of [...RESERVED_LOOKALIKES, ...everyKey]) await attack(attacker, key)
  await attacker.namespace('__stack').clear()
  await attacker.namespace('__stack').delete('lock:k')

  let stolen = 0
  const waiter = secondProcess(store, lock).getOrSet('k', () => {
    stolen++
    return 'second loader'
  })
  await sleep(50) // ten retry intervals: a stolen lock would have run the loader by now
  await settle()
  expect(stolen, 'a second process took the lock the first one holds').toBe(0)
  finish('first loader')
  expect(await holding).toBe('first loader')
  expect(await waiter).toBe('first loader')
})
