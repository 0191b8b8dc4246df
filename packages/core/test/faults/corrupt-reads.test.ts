/**
 * Issue 9, guarantee 3 and DESIGN §3: whatever bytes a store returns — another key's
 * envelope, truncated or bit-flipped bytes, foreign bytes, a decompression bomb — the
 * read is a miss plus a counted error, never a wrong value, a crash or a huge allocation.
 */
import { describe, expect, test } from 'vitest'
import {
  createCache,
  EnvelopeCodec,
  memoryStore,
  type RemoteStore,
  structuredSerializer,
} from '../../src/index.js'
import { type Corruption, faultStore } from '../support/fault-store.js'
import { errorCount, keysWrittenBy } from './helpers.js'

/** Two entries written by one process; a second process reads them through a fault store. */
async function twoEntries() {
  const inner = memoryStore()
  const writer = createCache({ tiers: [inner] })
  const [rawA] = await keysWrittenBy(inner, () => writer.set('a', 'value of a'))
  const [rawB] = await keysWrittenBy(inner, () => writer.set('b', 'value of b'))
  const store = faultStore(inner, { seed: 7 })
  const reader = createCache({ tiers: [store] })
  return { store, reader, rawA: rawA!, rawB: rawB! }
}

describe('the envelope binds the key it was written for', () => {
  test("a store answering key a with key b's bytes: a miss and a counted error", async () => {
    const { store, reader, rawA, rawB } = await twoEntries()
    store.inject({ op: 'get', key: rawA, fault: { kind: 'corrupt', how: { bytesOf: rawB } } })
    expect(await reader.get('a')).toBeUndefined()
    expect(errorCount(reader)).toBeGreaterThan(0)
  })

  test('the same through getMany and getOrSet (which loads instead)', async () => {
    const { store, reader, rawA, rawB } = await twoEntries()
    store.inject({ op: 'get', key: rawA, fault: { kind: 'corrupt', how: { bytesOf: rawB } } })
    expect(await reader.getMany(['a', 'b'])).toEqual([undefined, 'value of b'])
    expect(await reader.getOrSet('a', () => 'loaded')).toBe('loaded')
  })

  test("a namespace's entry served for another namespace's key is refused", async () => {
    const inner = memoryStore()
    const writer = createCache({ tiers: [inner] })
    const [rawA] = await keysWrittenBy(inner, () => writer.namespace('tenantA').set('k', 'A'))
    expect(rawA).toBeDefined()
    const [rawB] = await keysWrittenBy(inner, () => writer.namespace('tenantB').set('k', 'B'))
    const store = faultStore(inner)
    store.inject({ op: 'get', key: rawA!, fault: { kind: 'corrupt', how: { bytesOf: rawB! } } })
    const reader = createCache({ tiers: [store] })
    expect(await reader.namespace('tenantA').get('k')).toBeUndefined()
  })
})

test.each<Corruption>(['truncate', 'bit-flip', 'foreign'])(
  'a %s read is a miss and a counted error',
  async (how) => {
    const { store, reader, rawA } = await twoEntries()
    store.inject({ op: 'get', key: rawA, fault: { kind: 'corrupt', how } })
    expect(await reader.get('a')).toBeUndefined()
    expect(errorCount(reader)).toBeGreaterThan(0)
  },
)

/**
 * A small deflated envelope that inflates far past any value limit, stored under the
 * key the engine uses for `key`. Encoded with the public codec (given an unbounded
 * limit where it has one), so that the bytes are valid in every other respect.
 */
async function plant(store: RemoteStore, rawKey: string, value: string) {
  const codecOptions = {
    serializer: structuredSerializer,
    compressThreshold: 0,
    maxValueBytes: Number.MAX_SAFE_INTEGER,
  }
  const now = Date.now()
  const entry = {
    value,
    createdAt: now,
    freshUntil: now + 3_600_000,
    staleUntil: now + 3_600_000,
    tags: [],
  }
  await store.set(rawKey, new EnvelopeCodec(codecOptions).encode(rawKey, entry), Infinity)
}

test('a decompression bomb (64 MiB from a small entry) is a miss and a counted error', async () => {
  const inner = memoryStore()
  const [raw] = await keysWrittenBy(inner, () => createCache({ tiers: [inner] }).set('bomb', 1))
  // Control: an envelope planted this way is read back, so the miss below is the bomb's.
  await plant(inner, raw!, 'planted')
  expect(await createCache({ tiers: [inner] }).get('bomb')).toBe('planted')

  await plant(inner, raw!, 'a'.repeat(64 * 1024 * 1024))
  expect((await inner.get(raw!))!.byteLength).toBeLessThan(256 * 1024)
  const reader = createCache({ tiers: [inner] }) // never compresses
  expect(await reader.get('bomb')).toBeUndefined()
  expect(errorCount(reader)).toBeGreaterThan(0)
})
