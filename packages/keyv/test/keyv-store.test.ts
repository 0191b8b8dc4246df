import KeyvRedis, { createClient } from '@keyv/redis'
import { InvalidOptionError, StoreUnavailableError, UnsupportedError } from '@stack/core'
import Keyv, { type KeyvStoreAdapter } from 'keyv'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { keyvStore } from '../src/index.js'
import { redisUrl } from './servers.js'

const bytes = (...values: number[]) => new Uint8Array(values)

describe('keys', () => {
  test("a key that starts with Keyv's namespace does not meet the key without it", async () => {
    // Keyv skips its `namespace:` prefix for keys that already carry it.
    const store = keyvStore({ keyv: new Map(), namespace: 'stack' })
    await store.set('stack:x', bytes(1), Number.POSITIVE_INFINITY)
    await store.set('x', bytes(2), Number.POSITIVE_INFINITY)
    expect(await store.get('stack:x')).toEqual(bytes(1))
    expect(await store.get('x')).toEqual(bytes(2))
    await store.close()
  })

  test('keys another Keyv client wrote in the same namespace are neither listed nor cleared', async () => {
    const backend = new Map()
    const other = new Keyv({ store: backend, namespace: 'shared' })
    await other.set('foreign', 'kept')
    const store = keyvStore({ keyv: backend, namespace: 'shared' })
    await store.set('mine', bytes(1), Number.POSITIVE_INFINITY)
    const listed: string[] = []
    for await (const key of store.keys?.('') ?? []) listed.push(key)
    expect(listed).toEqual(['mine'])
    await store.clear('')
    expect(await other.get('foreign')).toBe('kept')
    expect(await store.get('mine')).toBeUndefined()
    await store.close()
  })

  test('a key over maxKeyBytes (less the one-byte marker) is refused with InvalidKeyError', async () => {
    const store = keyvStore({ keyv: new Map(), maxKeyBytes: 8 })
    await store.set('1234567', bytes(1), Number.POSITIVE_INFINITY)
    await expect(store.set('12345678', bytes(1), Number.POSITIVE_INFINITY)).rejects.toMatchObject({
      code: 'E_INVALID_KEY',
    })
    await store.close()
  })
})

describe('an entry vanishing while keys() lists', () => {
  /**
   * A Keyv adapter over a Map whose iterator, like @keyv/redis under expiry, lists a key
   * and then finds it gone: the first listings yield one key with no value.
   */
  function vanishingAdapter(listingsWithAGhost: number): KeyvStoreAdapter & { listings: number } {
    const data = new Map<string, unknown>()
    const adapter = {
      opts: { dialect: 'redis' },
      namespace: undefined as string | undefined,
      listings: 0,
      get: async (key: string) => data.get(key) as never,
      set: async (key: string, value: unknown) => void data.set(key, value),
      delete: async (key: string) => data.delete(key),
      clear: async () => data.clear(),
      async *iterator(namespace?: string) {
        adapter.listings++
        if (adapter.listings <= listingsWithAGhost) yield [`${namespace}:ghost`, undefined]
        for (const [key, value] of data) yield [key, value]
      },
      on() {
        return this
      },
    }
    return adapter as unknown as KeyvStoreAdapter & { listings: number }
  }

  test('the listing starts over and lists the live keys', async () => {
    const adapter = vanishingAdapter(2)
    const store = keyvStore({ keyv: new Keyv({ store: adapter, namespace: 'v' }) })
    await store.set('a', bytes(1), Number.POSITIVE_INFINITY)
    await store.set('b', bytes(2), Number.POSITIVE_INFINITY)
    const listed: string[] = []
    for await (const key of store.keys?.('') ?? []) listed.push(key)
    expect(listed.sort()).toEqual(['a', 'b'])
    expect(adapter.listings).toBe(3)
    await store.close()
  })

  test('an adapter that never stops vanishing fails the call instead of looping', async () => {
    const adapter = vanishingAdapter(Number.POSITIVE_INFINITY)
    const store = keyvStore({ keyv: new Keyv({ store: adapter, namespace: 'v' }) })
    const listing = (async () => {
      for await (const _ of store.keys?.('') ?? []) {
      }
    })()
    await expect(listing).rejects.toSatisfy(StoreUnavailableError.isInstance)
    expect(adapter.listings).toBe(5)
    await store.close()
  })
})

describe('an adapter without iterator()', () => {
  /** A Keyv adapter over a Map that, like several real ones, cannot list its keys. */
  function listlessAdapter(): KeyvStoreAdapter {
    const data = new Map<string, unknown>()
    return {
      opts: {},
      get: async (key: string) => data.get(key) as never,
      set: async (key: string, value: unknown) => void data.set(key, value),
      delete: async (key: string) => data.delete(key),
      clear: async () => data.clear(),
      on() {
        return this
      },
    }
  }

  test('clear(prefix) is refused with UnsupportedError, clear("") clears, keys are not offered', async () => {
    const store = keyvStore({ keyv: listlessAdapter() })
    expect(store.capabilities.keys).toBe(false)
    await store.set('a', bytes(1), Number.POSITIVE_INFINITY)
    await expect(store.clear('a')).rejects.toSatisfy(UnsupportedError.isInstance)
    expect(await store.get('a')).toEqual(bytes(1))
    await store.clear('')
    expect(await store.get('a')).toBeUndefined()
    await store.close()
  })
})

describe('options', () => {
  test('bad options are refused with InvalidOptionError naming them', () => {
    const cases: [unknown, string][] = [
      [{}, 'keyv'],
      [{ keyv: { get() {} } }, 'keyv'],
      [{ keyv: new Map(), namespace: 'a:b' }, 'namespace'],
      [{ keyv: new Map(), timeout: -1 }, 'timeout'],
      [{ keyv: new Map(), ttlGranularity: 'm' }, 'ttlGranularity'],
      [{ keyv: new Map(), maxValueBytes: 0 }, 'maxValueBytes'],
    ]
    for (const [options, option] of cases) {
      let thrown: unknown
      try {
        keyvStore(options as never)
      } catch (error) {
        thrown = error
      }
      expect(InvalidOptionError.isInstance(thrown), JSON.stringify(options)).toBe(true)
      expect((thrown as InvalidOptionError).option).toBe(option)
    }
  })
})

describe('an unreachable backend', () => {
  test('rejects with StoreUnavailableError within the timeout instead of reading as a miss', async () => {
    const store = keyvStore({ keyv: new KeyvRedis('redis://127.0.0.1:1'), timeout: 500 })
    const started = Date.now()
    await expect(store.get('k')).rejects.toSatisfy(StoreUnavailableError.isInstance)
    await expect(store.set('k', bytes(1), Date.now() + 1000)).rejects.toSatisfy(
      StoreUnavailableError.isInstance,
    )
    expect(Date.now() - started).toBeLessThan(5_000)
    await store.close()
  })
})

describe.skipIf(redisUrl === undefined)('on Redis through @keyv/redis', () => {
  const client = createClient({ url: redisUrl as string })
  beforeAll(async () => {
    await client.connect()
  })
  afterAll(async () => {
    await client.quit()
  })

  test('an absolute expiry becomes a relative Redis TTL; Infinity sets none', async () => {
    const store = keyvStore({ keyv: new KeyvRedis(redisUrl as string), namespace: 'ttl' })
    await store.set('soon', bytes(1), Date.now() + 1_500)
    await store.set('never', bytes(2), Number.POSITIVE_INFINITY)
    const soon = await client.pTTL('ttl::ttl:/soon')
    expect(soon).toBeGreaterThan(1_000)
    expect(soon).toBeLessThanOrEqual(1_500)
    expect(await client.pTTL('ttl::ttl:/never')).toBe(-1)
    await store.close()
  })

  test("ttlGranularity 's' rounds the TTL up to whole seconds, never down", async () => {
    const store = keyvStore({
      keyv: new KeyvRedis(redisUrl as string),
      namespace: 'secs',
      ttlGranularity: 's',
    })
    await store.set('k', bytes(1), Date.now() + 1_200)
    const ttl = await client.pTTL('secs::secs:/k')
    expect(ttl).toBeGreaterThan(1_200)
    expect(ttl).toBeLessThanOrEqual(2_000)
    await store.close()
  })

  test('bytes are stored as base64 text, readable by a string-only backend', async () => {
    const store = keyvStore({ keyv: new KeyvRedis(redisUrl as string), namespace: 'b64' })
    const all = new Uint8Array(256).map((_, index) => index)
    await store.set('bin', all, Number.POSITIVE_INFINITY)
    const raw = JSON.parse((await client.get('b64::b64:/bin')) as string)
    expect(raw.value).toBe(Buffer.from(all).toString('base64'))
    expect(await store.get('bin')).toEqual(all)
    await store.close()
  })
})
