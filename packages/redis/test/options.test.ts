import {
  ClosedError,
  InvalidKeyError,
  InvalidOptionError,
  StoreUnavailableError,
  ValueTooLargeError,
} from '@stack/core'
import { Redis } from 'ioredis'
import { describe, expect, test } from 'vitest'
import { redisBus, redisStore } from '../src/index.js'
import { redisUrl } from './servers.js'

function optionError(create: () => unknown): string | undefined {
  try {
    create()
  } catch (error) {
    if (InvalidOptionError.isInstance(error)) return error.option
    throw error
  }
  return undefined
}

describe('options', () => {
  test('bad options throw InvalidOptionError naming the option', () => {
    expect(optionError(() => redisStore({ url: 'http://localhost' }))).toBe('url')
    expect(optionError(() => redisStore({ url: 'not a url' }))).toBe('url')
    expect(optionError(() => redisStore({ timeout: 0 }))).toBe('timeout')
    expect(optionError(() => redisStore({ timeout: 'soon' }))).toBe('timeout')
    expect(optionError(() => redisStore({ maxValueBytes: 0 }))).toBe('maxValueBytes')
    expect(optionError(() => redisStore({ maxValueBytes: 2 ** 30 }))).toBe('maxValueBytes')
    expect(optionError(() => redisStore({ scanCount: 1.5 }))).toBe('scanCount')
    expect(optionError(() => redisStore({ name: '' }))).toBe('name')
    expect(optionError(() => redisStore({ redis: { keyPrefix: 'x:' } }))).toBe('redis')
    expect(optionError(() => redisStore({ cluster: { nodes: [] } }))).toBe('cluster')
    expect(optionError(() => redisStore({ client: {} as Redis }))).toBe('client')
    expect(optionError(() => redisBus({ channel: '' }))).toBe('channel')
    const client = new Redis({ lazyConnect: true })
    expect(optionError(() => redisStore({ client, url: 'redis://localhost' }))).toBe('client')
    const prefixed = new Redis({ lazyConnect: true, keyPrefix: 'x:' })
    expect(optionError(() => redisStore({ client: prefixed }))).toBe('client')
    client.disconnect()
    prefixed.disconnect()
  })
})

describe.skipIf(redisUrl === undefined)('store behaviour', () => {
  test('bad keys, values and expiries reject with coded errors before reaching Redis', async () => {
    const store = redisStore({ url: redisUrl, keyPrefix: 'options:', maxValueBytes: 8 })
    try {
      await expect(store.get('')).rejects.toSatisfy(InvalidKeyError.isInstance)
      await expect(store.get('lone \uD800')).rejects.toSatisfy(InvalidKeyError.isInstance)
      await expect(store.set('k', new Uint8Array(9), Infinity)).rejects.toSatisfy(
        ValueTooLargeError.isInstance,
      )
      await expect(
        store.setMany([{ key: 'k', value: new Uint8Array(9), expiresAt: Infinity }]),
      ).rejects.toSatisfy(ValueTooLargeError.isInstance)
      await expect(store.set('k', new Uint8Array(1), Number.NaN)).rejects.toSatisfy(
        (error) => InvalidOptionError.isInstance(error) && error.option === 'expiresAt',
      )
      expect(store.capabilities.maxValueBytes).toBe(8)
      await store.set('k', new Uint8Array(8), Infinity)
      expect(await store.get('k')).toEqual(new Uint8Array(8))
    } finally {
      await store.clear('')
      await store.close()
    }
  })

  test('fractional expiries round up and sub-second expiries are exact to the ms', async () => {
    const store = redisStore({ url: redisUrl, keyPrefix: 'options-ms:' })
    const raw = new Redis(redisUrl as string)
    try {
      const expiresAt = Date.now() + 5_000.25
      await store.set('k', new Uint8Array([1]), expiresAt)
      // Redis keeps a key while now <= PXAT; the contract only while now < expiresAt.
      expect(await raw.pexpiretime('options-ms:k')).toBe(Math.ceil(expiresAt) - 1)
      await store.set('forever', new Uint8Array([1]), Infinity)
      expect(await raw.pttl('options-ms:forever')).toBe(-1)
    } finally {
      await store.clear('')
      await store.close()
      await raw.quit()
    }
  })

  test('a client passed in stays open after close() unless closeClient is set', async () => {
    const client = new Redis(redisUrl as string)
    const borrowed = redisStore({ client })
    await borrowed.get('k')
    await borrowed.close()
    expect(await client.ping()).toBe('PONG')
    const owned = redisStore({ client, closeClient: true })
    await owned.close()
    expect(client.status).toBe('end')
  })

  test('every call after close() rejects with ClosedError; close() is idempotent', async () => {
    const store = redisStore({ url: redisUrl })
    await store.close()
    await store.close()
    await expect(store.get('k')).rejects.toSatisfy(ClosedError.isInstance)
    await expect(store.getMany(['k'])).rejects.toSatisfy(ClosedError.isInstance)
    await expect(store.clear('')).rejects.toSatisfy(ClosedError.isInstance)
    await expect(store.keys('')[Symbol.asyncIterator]().next()).rejects.toSatisfy(
      ClosedError.isInstance,
    )
  })

  test('a server that never answers fails calls with StoreUnavailableError', async () => {
    const store = redisStore({ url: 'redis://127.0.0.1:1', timeout: 200 })
    try {
      await expect(store.get('k')).rejects.toSatisfy(StoreUnavailableError.isInstance)
    } finally {
      await store.close()
    }
  })
})
