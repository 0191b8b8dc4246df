import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { redisStore } from '../src/index.js'
import { redisUrl } from './servers.js'

const value = new Uint8Array([1])

describe.skipIf(redisUrl === undefined)('clear with hostile prefixes', () => {
  let raw: Redis

  beforeAll(() => {
    raw = new Redis(redisUrl as string)
  })

  afterAll(async () => {
    await raw.quit()
  })

  test('glob metacharacters in clear(prefix) match only themselves', async () => {
    const store = redisStore({ url: redisUrl, keyPrefix: 'hostile-clear:' })
    const keys = ['a*', 'a*b', 'a?', 'a?b', '[ab]', '[ab]c', 'a\\', 'a\\b', 'ab', 'a', 'b', 'aXb']
    try {
      for (const key of keys) await store.set(key, value, Infinity)
      await store.clear('a*')
      await store.clear('a?')
      await store.clear('[ab]')
      await store.clear('a\\')
      const left: string[] = []
      for await (const key of store.keys('')) left.push(key)
      expect(left.sort()).toEqual(['a', 'aXb', 'ab', 'b'])
    } finally {
      await store.clear('')
      await store.close()
    }
  })

  test('a keyPrefix full of metacharacters confines clear("") to the store', async () => {
    const store = redisStore({ url: redisUrl, keyPrefix: 'hc[x]*?\\:' })
    const outsiders = ['hcx*?\\:k', 'hc[x]Z?\\:k', 'hc[x]*Z\\:k', 'hc[x]*?:k', 'hc[y]*?\\:k']
    try {
      for (const key of outsiders) await raw.set(key, 'outside')
      await store.set('k', value, Infinity)
      await store.set('*', value, Infinity)
      await store.clear('')
      expect(await store.get('k')).toBeUndefined()
      expect(await store.get('*')).toBeUndefined()
      for (const key of outsiders) expect(await raw.get(key), key).toBe('outside')
    } finally {
      await raw.del(...outsiders)
      await store.close()
    }
  })

  test('clear("") leaves keys outside the keyPrefix alone and handles many pages', async () => {
    const store = redisStore({ url: redisUrl, keyPrefix: 'paged:', scanCount: 50 })
    try {
      await raw.set('paged-not:k', 'outside')
      await store.setMany(
        Array.from({ length: 1_000 }, (_, index) => ({
          key: `k${index}`,
          value,
          expiresAt: Number.POSITIVE_INFINITY,
        })),
      )
      await store.clear('')
      expect(await raw.keys('paged:*')).toEqual([])
      expect(await raw.get('paged-not:k')).toBe('outside')
    } finally {
      await raw.del('paged-not:k')
      await store.close()
    }
  })
})
