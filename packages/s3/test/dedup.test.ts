import { EnvelopeCodec, structuredSerializer } from '@stack/core'
import { runDedupThroughCache } from '@stack/test-servers/dedup-case'
import { describe, expect, test } from 'vitest'
import { s3Store } from '../src/index.js'
import { countOf, recordRequests } from './requests.js'
import { rawClient, TEST_BUCKET, testStore } from './server.js'

runDedupThroughCache({
  name: 's3',
  createStore: (namespace) => testStore({ prefix: `${namespace}/`, dedupeWrites: true }),
})

const codec = new EnvelopeCodec({ serializer: structuredSerializer, compressThreshold: Infinity })
const envelope = (createdAt: number, value: unknown) =>
  codec.encode('k', { value, createdAt, freshUntil: createdAt, staleUntil: createdAt, tags: [] })

describe('dedupeWrites requests', () => {
  test('an unchanged payload costs a HEAD and a copy-in-place with the ETag as condition', async () => {
    const client = rawClient()
    const requests = recordRequests(client)
    const store = s3Store({
      bucket: TEST_BUCKET,
      prefix: 'dedup-requests/',
      client,
      dedupeWrites: true,
    })
    const value = { rows: 'x'.repeat(50_000) }
    await store.set('k', envelope(1, value), Date.now() + 60_000)
    await store.set('k', envelope(2, value), Date.now() + 120_000)
    expect(countOf(requests, 'PutObjectCommand')).toBe(1)
    expect(countOf(requests, 'CopyObjectCommand')).toBe(1)
    const copy = requests.find((request) => request.command === 'CopyObjectCommand')
    expect(copy?.headers['x-amz-metadata-directive']).toBe('REPLACE')
    expect(copy?.headers['x-amz-copy-source-if-match']).toMatch(/^"?[0-9a-f]{32}"?$/)
    expect(await store.get('k')).toEqual(envelope(2, value))
    await store.clear('')
    await store.close()
    client.destroy()
  })
})
