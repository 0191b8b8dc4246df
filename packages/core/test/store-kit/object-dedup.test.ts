import { describe, expect, test } from 'vitest'
import { EnvelopeCodec, structuredSerializer } from '../../src/index.js'
import { OBJECT_METADATA } from '../../src/store-kit/index.js'
import { MapBucket } from './map-bucket.js'

const codec = new EnvelopeCodec({ serializer: structuredSerializer, compressThreshold: Infinity })
const inOneHour = () => Date.now() + 3_600_000
const report = { rows: 'r'.repeat(10_000) }
const envelope = (createdAt: number, value: unknown = report, tags: readonly string[] = []) =>
  codec.encode('k', {
    value,
    createdAt,
    freshUntil: createdAt + 1,
    staleUntil: createdAt + 2,
    tags,
  })
const calls = (store: MapBucket, call: string) => store.calls.filter((c) => c === call).length

describe('dedupeWrites over envelopes', () => {
  test('an unchanged payload rewrites only metadata; get returns the new envelope exactly', async () => {
    const store = new MapBucket({ dedupeWrites: true })
    expect(store.capabilities.dedupeWrites).toBe(true)
    const expiresAt = inOneHour()
    await store.set('k', envelope(1), expiresAt)
    const second = envelope(2, report, ['daily'])
    await store.set('k', second, expiresAt + 5_000)
    expect(calls(store, 'put')).toBe(1)
    expect(calls(store, 'update')).toBe(1)
    expect(await store.get('k')).toEqual(second)
    const stored = [...store.objects.values()][0]
    expect(stored?.metadata[OBJECT_METADATA.expiresAt]).toBe(String(expiresAt + 5_000))
    expect(stored?.body.byteLength).toBeLessThan(second.byteLength) // the body is the payload
    expect(codec.decode('k', (await store.get('k')) as Uint8Array).createdAt).toBe(2)
    expect(store.stats()).toMatchObject({ writes: 1, dedupedWrites: 1 })
  })

  test('the same header and expiry again: no request but the head', async () => {
    const store = new MapBucket({ dedupeWrites: true })
    const expiresAt = inOneHour()
    await store.set('k', envelope(1), expiresAt)
    await store.set('k', envelope(1), expiresAt)
    expect(calls(store, 'put')).toBe(1)
    expect(calls(store, 'update')).toBe(0)
  })

  test('a changed payload is uploaded in full', async () => {
    const store = new MapBucket({ dedupeWrites: true })
    await store.set('k', envelope(1), inOneHour())
    const changed = envelope(2, { rows: 'changed' })
    await store.set('k', changed, inOneHour())
    expect(calls(store, 'put')).toBe(2)
    expect(calls(store, 'update')).toBe(0)
    expect(await store.get('k')).toEqual(changed)
  })

  test('an object replaced between head and metadata update is uploaded in full, never mixed', async () => {
    const store = new MapBucket({ dedupeWrites: true })
    await store.set('k', envelope(1), inOneHour())
    const name = [...store.objects.keys()][0] as string
    // Another writer replaces the object (a new version, another payload) inside our rewrite.
    store.beforeUpdate = () => store.put(name, envelope(9, { rows: 'another process' }))
    const mine = envelope(3)
    await store.set('k', mine, inOneHour())
    expect(calls(store, 'update')).toBe(1)
    expect(calls(store, 'put')).toBe(2) // the refused update fell back to an upload
    expect(await store.get('k')).toEqual(mine)
  })

  test('on a server that ignores conditions, an update that landed on a replaced object is repaired', async () => {
    const store = new MapBucket({ dedupeWrites: true, conditionalWrites: false })
    store.honourConditions = false
    await store.set('k', envelope(1), inOneHour())
    const name = [...store.objects.keys()][0] as string
    store.beforeUpdate = () => store.put(name, envelope(9, { rows: 'another process' }))
    const mine = envelope(3)
    await store.set('k', mine, inOneHour())
    expect(calls(store, 'update')).toBe(1)
    expect(calls(store, 'put')).toBe(2) // the mixed object was overwritten whole
    expect(await store.get('k')).toEqual(mine)
    expect(store.stats()).toMatchObject({ writes: 2, dedupedWrites: 0 })
  })

  test('a header too long for metadata (many tags) stores the whole envelope', async () => {
    const store = new MapBucket({ dedupeWrites: true })
    const tags = Array.from({ length: 40 }, (_, i) => `tag-number-${i}-${'t'.repeat(10)}`)
    const first = envelope(1, report, tags)
    await store.set('k', first, inOneHour())
    const stored = [...store.objects.values()][0]
    expect(stored?.metadata[OBJECT_METADATA.header]).toBeUndefined()
    expect(await store.get('k')).toEqual(first)
    const second = envelope(2, report, tags)
    await store.set('k', second, inOneHour())
    expect(calls(store, 'put')).toBe(2)
    expect(await store.get('k')).toEqual(second)
  })

  test('compressed and hashed-name objects keep their body fields through a rewrite', async () => {
    const store = new MapBucket({
      dedupeWrites: true,
      compression: 'gzip',
      compressionThreshold: 1,
    })
    const key = 'k'.repeat(2_000) // hashed object name: the body leads with the key
    const write = (createdAt: number) =>
      codec.encode(key, {
        value: report,
        createdAt,
        freshUntil: createdAt + 1,
        staleUntil: createdAt + 2,
        tags: [],
      })
    await store.set(key, write(1), inOneHour())
    await store.set(key, write(2), inOneHour())
    expect(calls(store, 'put')).toBe(1)
    expect(await store.get(key)).toEqual(write(2))
    const keys: string[] = []
    for await (const listed of store.keys('')) keys.push(listed)
    expect(keys).toEqual([key])
  })

  test('without dedupeWrites the whole envelope is the body and every set uploads', async () => {
    const store = new MapBucket()
    expect(store.capabilities.dedupeWrites).toBe(false)
    await store.set('k', envelope(1), inOneHour())
    await store.set('k', envelope(2), inOneHour())
    expect(calls(store, 'put')).toBe(2)
    expect([...store.objects.values()][0]?.body).toEqual(envelope(2))
  })

  test('a store written with dedupeWrites reads back the same through one without it', async () => {
    const writer = new MapBucket({ dedupeWrites: true })
    await writer.set('k', envelope(1), inOneHour())
    await writer.set('k', envelope(2), inOneHour())
    const reader = new MapBucket()
    for (const [name, stored] of writer.objects) reader.objects.set(name, stored)
    expect(await reader.get('k')).toEqual(envelope(2))
  })
})
