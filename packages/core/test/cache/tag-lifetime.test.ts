/**
 * Issue 14: tag timestamps stored in the remote tiers expire, yet never before an entry
 * they can reject. Every tagged entry dies at the latest `maxEntryLife` after its
 * `createdAt`; a timestamp of a change at `at` expires at `at + maxEntryLife` plus clock
 * skew. The readers here are fresh processes (no tag state in memory), so all they know
 * of an invalidation is what the store still holds.
 */
import { describe, expect, test } from 'vitest'
import {
  type CacheOptions,
  createCache,
  InvalidOptionError,
  memory,
  memoryStore,
  type RemoteStore,
  type StoreWrite,
} from '../../src/index.js'
import { mulberry32 } from '../support/fault-store.js'
import { fakeClock } from './helpers.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const CLOCK_SKEW = 60_000
const isTagKey = (key: string) => key.includes('!tag:')

/** A store over a memoryStore that remembers the last expiry written under each key. */
function recordingStore(clock: () => number) {
  const inner = memoryStore({ clock })
  const expiries = new Map<string, number>()
  const record = (key: string, expiresAt: number) => expiries.set(key, expiresAt)
  const store: RemoteStore = {
    name: 'recording',
    contractVersion: inner.contractVersion,
    capabilities: inner.capabilities,
    get: (key) => inner.get(key),
    getMany: (keys) => inner.getMany!(keys),
    delete: (key) => inner.delete(key),
    clear: (prefix) => inner.clear(prefix),
    close: () => inner.close(),
    keys: (prefix) => inner.keys!(prefix),
    set(key, value, expiresAt) {
      record(key, expiresAt)
      return inner.set(key, value, expiresAt)
    },
    setMany(entries: readonly StoreWrite[]) {
      for (const entry of entries) record(entry.key, entry.expiresAt)
      return inner.setMany!(entries)
    },
    add(key, value, expiresAt) {
      record(key, expiresAt)
      return inner.add!(key, value, expiresAt)
    },
    setIfNewer(key, value, expiresAt, version) {
      record(key, expiresAt)
      return inner.setIfNewer!(key, value, expiresAt, version)
    },
    deleteIfNewer: (key, version, tombstoneUntil) =>
      inner.deleteIfNewer!(key, version, tombstoneUntil),
  }
  const select = (tags: boolean) =>
    [...expiries].filter(([key]) => isTagKey(key) === tags).map(([, at]) => at)
  return {
    store,
    /** Expiries written for tag timestamps. */
    tagExpiries: () => select(true),
    /** Expiries (staleUntil) written for entries. */
    entryExpiries: () => select(false),
  }
}

function processOn(store: RemoteStore, clock: () => number, options: Partial<CacheOptions> = {}) {
  return createCache({ ...options, tiers: [store], clock, tierTimeout: Number.POSITIVE_INFINITY })
}

describe('maxEntryLife', () => {
  test('defaults to the cache entry life or one day, whichever is longer', async () => {
    const cases: [Partial<CacheOptions>, number][] = [
      [{}, DAY],
      [{ ttl: '1h', grace: '2h' }, DAY],
      [{ ttl: '2d', staleWhileRevalidate: '1d', grace: '12h' }, 3 * DAY],
      [{ ttl: '1h', maxEntryLife: '3h' }, 3 * HOUR],
      [{ ttl: Number.POSITIVE_INFINITY }, Number.POSITIVE_INFINITY],
    ]
    for (const [options, life] of cases) {
      const clock = fakeClock()
      const { store, tagExpiries } = recordingStore(clock.now)
      await processOn(store, clock.now, options).invalidateTags(['t'])
      expect(tagExpiries(), JSON.stringify(options)).toEqual([clock.now() + life + CLOCK_SKEW])
    }
  })

  test('may not be shorter than the entry life the cache itself gives', () => {
    const make = (options: Partial<CacheOptions>) => () =>
      createCache({ tiers: [memory()], ...options })
    expect(make({ ttl: '1h', grace: '1h', maxEntryLife: '90m' })).toThrowError(
      expect.objectContaining({ code: 'E_INVALID_OPTION', option: 'maxEntryLife' }),
    )
    expect(make({ maxEntryLife: 'soon' })).toThrowError(InvalidOptionError)
    expect(make({ maxEntryLife: -1 })).toThrowError(/maxEntryLife/)
    expect(make({ ttl: '1h', grace: '1h', maxEntryLife: '2h' })).not.toThrow()
  })
})

describe('tag timestamps expire, never before an entry they can reject', () => {
  test('(a) every expiry is finite and outlives every tagged entry written up to the change', async () => {
    const clock = fakeClock()
    const { store, tagExpiries, entryExpiries } = recordingStore(clock.now)
    const cache = processOn(store, clock.now, { ttl: '1h', grace: '2h' })
    const random = mulberry32(14)
    const pick = (max: number) => Math.floor(random() * max)
    for (let i = 0; i < 200; i++) {
      // Per-call lives from a second to four days: many longer than maxEntryLife (1 day).
      await cache.set(`k${i}`, i, {
        tags: ['t'],
        ttl: 1_000 + pick(2 * DAY),
        grace: pick(2 * DAY),
        staleWhileRevalidate: pick(DAY),
      })
      clock.advance(pick(HOUR))
    }
    // A load that starts before the invalidation and writes after it.
    let finish: (value: string) => void = () => undefined
    const slow = cache.getOrSet('slow', () => new Promise<string>((r) => (finish = r)), {
      tags: ['t'],
      ttl: '3d',
    })
    clock.advance(HOUR)
    await cache.invalidateTags(['t'])
    await cache.expireTags(['t'])
    clock.advance(5 * HOUR)
    finish('late')
    await slow

    const recordExpiries = tagExpiries()
    expect(recordExpiries).toHaveLength(2)
    const lastEntryDeath = Math.max(...entryExpiries())
    for (const expiry of recordExpiries) {
      expect(Number.isFinite(expiry)).toBe(true)
      expect(expiry).toBeGreaterThanOrEqual(lastEntryDeath)
    }
  })

  test('(b) an invalidated entry is never served up to its staleUntil, the record at its minimum expiry', async () => {
    const clock = fakeClock()
    const { store, tagExpiries, entryExpiries } = recordingStore(clock.now)
    // maxEntryLife at its minimum: exactly the cache's own entry life.
    const options = { ttl: '1h', grace: '1h', staleWhileRevalidate: '1h', maxEntryLife: '2h' }
    const writer = processOn(store, clock.now, options)
    const created = clock.now()
    await writer.set('post', 'old', { tags: ['posts'] })
    const [staleUntil] = entryExpiries() as [number]
    clock.advance(1)
    await writer.invalidateTags(['posts'])
    const [recordExpiry] = tagExpiries() as [number]
    const tagKey = (await keysOf(store)).find(isTagKey) as string
    expect(staleUntil).toBe(created + 2 * HOUR)
    expect(recordExpiry).toBeGreaterThanOrEqual(staleUntil)

    const failing = () => Promise.reject(new Error('source down'))
    const instants = [1, HOUR - 1, HOUR, HOUR + 1, 2 * HOUR - 2, 2 * HOUR - 1]
    for (const offset of instants) {
      clock.advance(created + offset - clock.now())
      // A fresh process each time: it knows of the invalidation only through the store.
      const reader = processOn(store, clock.now, options)
      expect(await reader.get('post'), `get at +${offset} ms`).toBeUndefined()
      await expect(reader.getOrSet('post', failing), `grace at +${offset} ms`).rejects.toThrow(
        'source down',
      )
      expect(await reader.has('post')).toBe(false)
    }
    // The record goes once the entry is dead everywhere.
    clock.advance(recordExpiry - clock.now())
    expect(await store.get(tagKey)).toBeUndefined()
    expect(await processOn(store, clock.now, options).get('post')).toBeUndefined()
  })

  test('(c) a per-call ttl longer than maxEntryLife cannot outlive the tag timestamps', async () => {
    const clock = fakeClock()
    const { store, tagExpiries } = recordingStore(clock.now)
    const options = { ttl: '1m', maxEntryLife: '1h' }
    const writer = processOn(store, clock.now, options)
    const created = clock.now()
    await writer.set('tagged', 'v', { tags: ['t'], ttl: '1d', grace: '1d' })
    await writer.set('untagged', 'v', { ttl: '1d' })
    let ttlSetByLoader = 0
    await writer.getOrSet(
      'adaptive',
      (ctx) => {
        ctx.setTtl('7d')
        ctx.setTags(['t'])
        ttlSetByLoader++
        return 'v'
      },
      { grace: '1d' },
    )
    expect(ttlSetByLoader).toBe(1)
    expect(await writer.get('tagged')).toBe('v')

    clock.advance(1)
    await writer.invalidateTags(['t'])
    const [recordExpiry] = tagExpiries() as [number]
    // Past the record's expiry: nothing remembers the invalidation any more...
    clock.advance(recordExpiry - clock.now())
    expect(await keysOf(store)).not.toContainEqual(expect.stringContaining('!tag:'))
    // ...and the tagged entries died with their maximum life, long before their ttl.
    for (const reader of [processOn(store, clock.now, options), writer]) {
      expect(await reader.get('tagged')).toBeUndefined()
      expect(await reader.get('adaptive')).toBeUndefined()
      await expect(
        reader.getOrSet('tagged', () => Promise.reject(new Error('down')), { grace: '1d' }),
      ).rejects.toThrow('down')
    }
    // An untagged entry is not affected by maxEntryLife.
    expect(await processOn(store, clock.now, options).get('untagged')).toBe('v')
    expect(clock.now() - created).toBeGreaterThan(HOUR)
  })

  test('(c) a reader cuts a longer-lived tagged entry written by another configuration', async () => {
    const clock = fakeClock()
    const { store } = recordingStore(clock.now)
    const generous = processOn(store, clock.now, { ttl: '1m', maxEntryLife: '7d' })
    await generous.set('k', 'v', { tags: ['t'], ttl: '3d' })
    const strict = processOn(store, clock.now, { ttl: '1m', maxEntryLife: '1h' })
    clock.advance(HOUR - 1)
    expect(await strict.get('k')).toBe('v')
    clock.advance(1)
    expect(await strict.get('k')).toBeUndefined()
    expect(await generous.get('k')).toBe('v')
  })

  test('a corrupt record rewritten by a reader expires too', async () => {
    const clock = fakeClock()
    const { store, tagExpiries } = recordingStore(clock.now)
    const cache = processOn(store, clock.now, { maxEntryLife: '2h', ttl: '1m' })
    await cache.set('k', 'v', { tags: ['t'] })
    clock.advance(1)
    await cache.invalidateTags(['t'])
    const tagKey = (await keysOf(store)).find(isTagKey) as string
    await store.set(tagKey, new Uint8Array([1, 2, 3]), Number.POSITIVE_INFINITY)
    clock.advance(10)
    expect(await processOn(store, clock.now, { maxEntryLife: '2h' }).get('k')).toBeUndefined()
    await new Promise((resolve) => setImmediate(resolve))
    expect(tagExpiries()).toEqual([clock.now() + 2 * HOUR + CLOCK_SKEW])
  })
})

async function keysOf(store: RemoteStore): Promise<string[]> {
  const keys: string[] = []
  for await (const key of store.keys!('')) keys.push(key)
  return keys
}
