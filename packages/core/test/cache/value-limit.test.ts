import { expect, test } from 'vitest'
import {
  createCache,
  InvalidOptionError,
  memoryStore,
  ValueTooLargeError,
} from '../../src/index.js'

test('maxValueBytes refuses larger writes, names the key, and writes nothing', async () => {
  const store = memoryStore()
  const cache = createCache({ tiers: [store], maxValueBytes: 1_024 })
  await cache.set('k', 'small')
  await expect(cache.set('k', 'x'.repeat(4_096))).rejects.toSatisfy(ValueTooLargeError.isInstance)
  expect(await cache.get('k')).toBe('small')
})

test('an entry that inflates past maxValueBytes is a counted miss, even if the writer allowed it', async () => {
  const store = memoryStore()
  const writer = createCache({ tiers: [store], compressThreshold: 0 })
  await writer.set('big', 'y'.repeat(64 * 1_024))
  const reader = createCache({ tiers: [store], maxValueBytes: 4_096 })
  expect(await reader.get('big')).toBeUndefined()
  expect(reader.stats().tiers[0]?.errors).toBe(1)
  // The same bytes decode under the default limit.
  expect(await createCache({ tiers: [store] }).get('big')).toHaveLength(64 * 1_024)
})

test('maxValueBytes must be a positive integer', () => {
  for (const bad of [0, -1, 1.5, Number.NaN, '1kb']) {
    expect(() => createCache({ tiers: [memoryStore()], maxValueBytes: bad as number })).toThrow(
      InvalidOptionError,
    )
  }
})
