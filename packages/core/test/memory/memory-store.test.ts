import { describe, expect, test } from 'vitest'
import {
  ClosedError,
  InvalidKeyError,
  memoryStore,
  STORE_CONTRACT_VERSION,
  ValueTooLargeError,
} from '../../src/index.js'
import { fakeClock } from './helpers.js'

const bytes = (...values: number[]) => new Uint8Array(values)

describe('memoryStore', () => {
  test('declares the contract and its capabilities', () => {
    const store = memoryStore({ maxBytes: 1_024 })
    expect(store.name).toBe('memory-store')
    expect(store.contractVersion).toBe(STORE_CONTRACT_VERSION)
    expect(store.capabilities).toMatchObject({
      batch: true,
      add: true,
      keys: true,
      ttlGranularity: 'ms',
      maxValueBytes: 1_024,
    })
  })

  test('round-trips bytes and copies them in and out', async () => {
    const store = memoryStore()
    const written = bytes(1, 2, 3)
    await store.set('k', written, Number.POSITIVE_INFINITY)
    written[0] = 9
    const read = await store.get('k')
    expect(read).toEqual(bytes(1, 2, 3))
    if (read) read[1] = 9
    expect(await store.get('k')).toEqual(bytes(1, 2, 3))
    const fromBuffer = Buffer.from([7, 8])
    await store.set('buffer', fromBuffer, Number.POSITIVE_INFINITY)
    expect(await store.get('buffer')).toEqual(bytes(7, 8))
  })

  test('honours absolute expiry; a past expiry deletes', async () => {
    const clock = fakeClock()
    const store = memoryStore({ clock: clock.now })
    await store.set('k', bytes(1), clock.now() + 10)
    clock.advance(10)
    expect(await store.get('k')).toBeUndefined()
    await store.set('j', bytes(1), Number.POSITIVE_INFINITY)
    await store.set('j', bytes(2), clock.now())
    expect(await store.get('j')).toBeUndefined()
  })

  test('batch calls, add, keys and clear(prefix)', async () => {
    const store = memoryStore()
    await store.setMany?.([
      { key: 'a:1', value: bytes(1), expiresAt: Number.POSITIVE_INFINITY },
      { key: 'a:2', value: bytes(2), expiresAt: Number.POSITIVE_INFINITY },
      { key: 'b:1', value: bytes(3), expiresAt: Number.POSITIVE_INFINITY },
    ])
    expect(await store.getMany?.(['a:1', 'missing', 'b:1'])).toEqual([
      bytes(1),
      undefined,
      bytes(3),
    ])
    expect(await store.getMany?.([])).toEqual([])
    expect(await store.add?.('a:1', bytes(9), Number.POSITIVE_INFINITY)).toBe(false)
    expect(await store.add?.('c:1', bytes(9), Number.POSITIVE_INFINITY)).toBe(true)
    const keys: string[] = []
    for await (const key of store.keys?.('a:') ?? []) keys.push(key)
    expect(keys.sort()).toEqual(['a:1', 'a:2'])
    await store.clear('a:')
    expect(await store.deleteMany?.(['a:1', 'b:1', 'c:1'])).toBe(2)
    expect(await store.delete('b:1')).toBe(false)
  })

  test('concurrent adds on one key: exactly one wins', async () => {
    const store = memoryStore()
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        store.add?.('lock', bytes(index), Number.POSITIVE_INFINITY),
      ),
    )
    expect(results.filter(Boolean)).toHaveLength(1)
  })

  test('bad input rejects with coded errors', async () => {
    const store = memoryStore({ maxBytes: 2 })
    await expect(store.get('')).rejects.toThrow(InvalidKeyError)
    await expect(store.set('', bytes(1), 1)).rejects.toThrow(InvalidKeyError)
    await expect(store.set('k', 'text' as never, Number.POSITIVE_INFINITY)).rejects.toThrow(
      expect.objectContaining({ code: 'E_INVALID_OPTION', option: 'value' }),
    )
    await expect(store.set('k', bytes(1, 2, 3), Number.POSITIVE_INFINITY)).rejects.toThrow(
      ValueTooLargeError,
    )
  })

  test('rejects every call with ClosedError once closed', async () => {
    const store = memoryStore()
    await store.close()
    await store.close()
    await expect(store.get('k')).rejects.toThrow(ClosedError)
    await expect(store.set('k', bytes(1), Number.POSITIVE_INFINITY)).rejects.toThrow(ClosedError)
    await expect(store.delete('k')).rejects.toThrow(ClosedError)
    await expect(store.clear('')).rejects.toThrow(ClosedError)
    await expect(store.getMany?.(['k'])).rejects.toThrow(ClosedError)
    await expect(store.add?.('k', bytes(1), Number.POSITIVE_INFINITY)).rejects.toThrow(ClosedError)
    const iterate = async () => {
      for await (const _ of store.keys?.('') ?? []) break
    }
    await expect(iterate()).rejects.toThrow(ClosedError)
  })
})
