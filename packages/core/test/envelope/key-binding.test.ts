import { describe, expect, test } from 'vitest'
import { createCache, DecodeError, memoryStore, type RemoteStore } from '../../src/index.js'

/**
 * A store that answers a read of the second key ever written with the bytes of the
 * first: a store bug, a hash collision in its key mapping, or a hostile backend.
 */
function crossingStore(): RemoteStore {
  const inner = memoryStore()
  const written: string[] = []
  return {
    ...inner,
    name: 'crossing',
    get: (key) =>
      inner.get(written.length > 1 && key === written[1] ? (written[0] as string) : key),
    set: (key, value, expiresAt) => {
      if (!written.includes(key)) written.push(key)
      return inner.set(key, value, expiresAt)
    },
    setIfNewer: (key, value, expiresAt, version) => {
      if (!written.includes(key)) written.push(key)
      return inner.setIfNewer!(key, value, expiresAt, version)
    },
  }
}

describe('a cache never serves bytes written for another key', () => {
  test("another key's envelope is a counted decode error and a miss", async () => {
    const cache = createCache({ tiers: [crossingStore()], ttl: '1m' })
    const errors: unknown[] = []
    cache.on('error', (event) => errors.push(event))
    await cache.set('tenant-a:secret', 'A')
    await cache.set('tenant-b:secret', 'B')
    expect(await cache.get('tenant-a:secret')).toBe('A')
    expect(await cache.get('tenant-b:secret')).toBeUndefined()
    expect(cache.stats().tiers[0]?.errors).toBe(1)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ operation: 'decode', tier: 'crossing' })
    expect(DecodeError.isInstance((errors[0] as { error: unknown }).error)).toBe(true)
    // getOrSet loads rather than serving the foreign value.
    expect(await cache.getOrSet('tenant-b:secret', () => 'loaded')).toBe('loaded')
    await cache.close()
  })
})
