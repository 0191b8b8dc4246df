import { describe, expect, test } from 'vitest'
import { createCache, InvalidOptionError, memory, memoryStore } from '../../src/index.js'

describe('a cache with a remote tier refuses unstorable tags at set time', () => {
  test.each([
    ['a lone-surrogate tag', ['user:\uD800']],
    ['65,536 tags', Array.from({ length: 65_536 }, (_, i) => `t${i}`)],
    ['a tag over 65,535 UTF-8 bytes', ['é'.repeat(32_768)]],
  ])('%s', async (_, tags) => {
    const remote = memoryStore()
    const cache = createCache({ tiers: [memory(), remote], ttl: '1m' })
    const error = await cache.set('k', 1, { tags }).catch((caught: unknown) => caught)
    expect(InvalidOptionError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ option: 'tags' })
    // Nothing half-written: the remote tier holds no entry for the key.
    expect(await cache.get('k')).toBeUndefined()
    await cache.close()
  })
})
