/**
 * Issue 9: tag timestamps read from a store get the same integrity checks as entries. A
 * corrupt one (NaN, +Infinity, wrong length, garbage), written straight into the store
 * under whatever key the engine uses, must neither disable the tag (later invalidations
 * still work) nor kill it for good (new entries stay cacheable), and must not bring an
 * invalidated entry back. Checks are soft, so a run reports every way a corruption hurts.
 */
import { expect, test } from 'vitest'
import { type CacheEntry, createCache, memory, memoryStore } from '../../src/index.js'
import { fakeClock } from '../cache/helpers.js'
import { mulberry32 } from '../support/fault-store.js'
import { keysWrittenBy } from './helpers.js'

function float64(value: number): Uint8Array {
  const bytes = new Uint8Array(8)
  new DataView(bytes.buffer).setFloat64(0, value, true)
  return bytes
}

function garbage(length: number): Uint8Array {
  const random = mulberry32(length)
  return Uint8Array.from({ length }, () => Math.floor(random() * 256))
}

const CORRUPTIONS: [string, Uint8Array][] = [
  ['NaN', float64(Number.NaN)],
  ['+Infinity', float64(Number.POSITIVE_INFINITY)],
  ['wrong length', new Uint8Array([1, 2, 3])],
  ['garbage bytes', garbage(13)],
  ['empty', new Uint8Array(0)],
]

test.each(CORRUPTIONS)(
  'a %s tag timestamp neither disables nor kills the tag',
  async (_, corrupt) => {
    const clock = fakeClock()
    const store = memoryStore({ clock: clock.now })
    const newProcess = () =>
      createCache({ tiers: [memory<CacheEntry>({ clock: clock.now }), store], clock: clock.now })
    const writer = newProcess()
    await writer.set('old', 'old', { tags: ['t'] })
    clock.advance(10)
    const tagKeys = await keysWrittenBy(store, () => writer.invalidateTags(['t']))
    expect(tagKeys.length, 'invalidateTags stores its timestamp').toBeGreaterThan(0)
    for (const key of tagKeys) await store.set(key, corrupt, Number.POSITIVE_INFINITY)

    clock.advance(10)
    const reader = newProcess() // reads the corrupt timestamp first
    expect.soft(await reader.get('old'), 'an invalidated entry came back').toBeUndefined()

    clock.advance(10)
    await reader.set('new', 'new', { tags: ['t'] })
    expect.soft(await reader.get('new'), 'the tag is dead for good').toBe('new')
    expect.soft(await newProcess().get('new')).toBe('new')

    clock.advance(10)
    await reader.invalidateTags(['t'])
    expect.soft(await reader.get('new'), 'invalidation disabled in this process').toBeUndefined()
    expect
      .soft(await newProcess().get('new'), 'invalidation disabled in other processes')
      .toBeUndefined()

    clock.advance(10)
    await reader.set('newer', 'newer', { tags: ['t'] })
    expect.soft(await reader.get('newer')).toBe('newer')
  },
)

test('corrupt soft (expireTags) timestamps neither disable nor kill the tag', async () => {
  const clock = fakeClock()
  const store = memoryStore({ clock: clock.now })
  const newProcess = () => createCache({ tiers: [store], clock: clock.now, ttl: '1h' })
  const writer = newProcess()
  await writer.set('old', 'old', { tags: ['t'] })
  clock.advance(10)
  const tagKeys = await keysWrittenBy(store, () => writer.expireTags(['t']))
  for (const key of tagKeys) await store.set(key, float64(Number.NaN), Infinity)
  clock.advance(10)
  const reader = newProcess()
  await reader.get('old') // reads the corrupt timestamp
  clock.advance(10)
  await reader.set('new', 'new', { tags: ['t'] })
  expect.soft(await reader.get('new')).toBe('new')
  clock.advance(10)
  await reader.expireTags(['t'])
  expect.soft(await reader.get('new')).toBeUndefined()
})
