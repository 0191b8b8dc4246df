import { EnvelopeCodec, structuredSerializer } from '@stack/core'
import { runDedupThroughCache } from '@stack/test-servers/dedup-case'
import { describe, expect, test } from 'vitest'
import { gcsStore } from '../src/index.js'
import { recordRequests } from './requests.js'
import { rawStorage, TEST_BUCKET, testStore } from './server.js'

runDedupThroughCache({
  name: 'gcs',
  createStore: (namespace) => testStore({ prefix: `${namespace}/`, dedupeWrites: true }),
})

const codec = new EnvelopeCodec({ serializer: structuredSerializer, compressThreshold: Infinity })
const envelope = (createdAt: number, value: unknown) =>
  codec.encode('k', { value, createdAt, freshUntil: createdAt, staleUntil: createdAt, tags: [] })

describe('dedupeWrites requests', () => {
  test('an unchanged payload costs a metadata GET and a PATCH on the generation', async () => {
    const storage = rawStorage()
    const requests = recordRequests(storage)
    const store = gcsStore({
      bucket: TEST_BUCKET,
      prefix: 'dedup-requests/',
      storage,
      dedupeWrites: true,
    })
    const value = { rows: 'x'.repeat(50_000) }
    await store.set('k', envelope(1, value), Date.now() + 60_000)
    await store.set('k', envelope(2, value), Date.now() + 120_000)
    expect(requests.filter((request) => request.uri.includes('/upload/'))).toHaveLength(1)
    const patches = requests.filter((request) => request.method === 'PATCH')
    expect(patches).toHaveLength(1)
    expect(patches[0]?.query.ifGenerationMatch).toBeDefined()
    expect(await store.get('k')).toEqual(envelope(2, value))
    await store.clear('')
    await store.close()
  })

  test('an earlier expiry (customTime cannot move back) is uploaded in full', async () => {
    const storage = rawStorage()
    const requests = recordRequests(storage)
    const store = gcsStore({
      bucket: TEST_BUCKET,
      prefix: 'dedup-earlier/',
      storage,
      dedupeWrites: true,
    })
    const value = { rows: 'x'.repeat(50_000) }
    await store.set('k', envelope(1, value), Date.now() + 120_000)
    await store.set('k', envelope(2, value), Date.now() + 60_000)
    expect(requests.filter((request) => request.uri.includes('/upload/'))).toHaveLength(2)
    expect(await store.get('k')).toEqual(envelope(2, value))
    await store.clear('')
    await store.close()
  })
})
