import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { ClosedError, StoreUnavailableError } from '@stack/core'
import { mapConcurrent } from '@stack/core/store-kit'
import { runObjectStoreCases } from '@stack/test-servers/object-store-cases'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { s3Store } from '../src/index.js'
import { countOf, recordRequests } from './requests.js'
import { listNames, rawClient, s3Harness, TEST_BUCKET, testStore } from './server.js'

const bytes = (text: string) => new TextEncoder().encode(text)
const inOneHour = () => Date.now() + 3_600_000

let raw: S3Client
beforeAll(() => {
  raw = rawClient()
})
afterAll(() => raw.destroy())

runObjectStoreCases(s3Harness(() => raw))

describe('clear', () => {
  test('pages through more than 1,000 objects, deleting in batches of at most 1,000', async () => {
    const client = rawClient()
    const requests = recordRequests(client)
    const store = s3Store({ bucket: TEST_BUCKET, prefix: 'clear-many/', client })
    const keys = Array.from({ length: 1_100 }, (_, index) => `item:${index}`)
    // Bounded: a call's deadline also covers time queued for one of the SDK's 50 sockets.
    await mapConcurrent(keys, 20, (key) => store.set(key, bytes(key), inOneHour()))
    await store.set('other', bytes('kept'), inOneHour())

    await store.clear('item:')

    expect(await listNames(raw, 'clear-many/')).toEqual(['clear-many/other'])
    expect(countOf(requests, 'ListObjectsV2Command')).toBe(2)
    expect(countOf(requests, 'DeleteObjectsCommand')).toBe(2)
    await store.clear('')
    expect(await listNames(raw, 'clear-many/')).toEqual([])
    await store.close()
    client.destroy()
  })
})

describe('dedupeWrites', () => {
  test('skips the upload when value and expiry are unchanged', async () => {
    const client = rawClient()
    const requests = recordRequests(client)
    const store = s3Store({ bucket: TEST_BUCKET, prefix: 'dedupe/', client, dedupeWrites: true })
    const expiresAt = inOneHour()

    await store.set('k', bytes('same'), expiresAt)
    await store.set('k', bytes('same'), expiresAt)
    expect(countOf(requests, 'PutObjectCommand')).toBe(1)
    expect(countOf(requests, 'HeadObjectCommand')).toBe(2)

    await store.set('k', bytes('same'), expiresAt + 1_000) // new expiry: written
    await store.set('k', bytes('changed'), expiresAt + 1_000) // new value: written
    expect(countOf(requests, 'PutObjectCommand')).toBe(3)
    expect(await store.get('k')).toEqual(bytes('changed'))
    await store.clear('')
    await store.close()
    client.destroy()
  })
})

describe('add', () => {
  test('with conditionalWrites (the default) the PUT carries If-None-Match: *', async () => {
    const client = rawClient()
    const requests = recordRequests(client)
    const store = s3Store({ bucket: TEST_BUCKET, prefix: 'add-conditional/', client })
    expect(store.capabilities.add).toBe(true)
    expect(await store.add?.('lock', bytes('owner-1'), inOneHour())).toBe(true)
    const put = requests.find((request) => request.command === 'PutObjectCommand')
    expect(put?.headers['if-none-match']).toBe('*')
    // s3rver ignores the header, so a second add cannot be refused here; real S3 answers 412.
    expect(await store.get('lock')).toEqual(bytes('owner-1'))
    await store.clear('')
    await store.close()
    client.destroy()
  })
})

describe('failure behaviour', () => {
  test('a missing bucket is a failure, not a miss', async () => {
    const store = testStore({ bucket: 'no-such-bucket', prefix: '' })
    await expect(store.get('k')).rejects.toSatisfy(StoreUnavailableError.isInstance)
    await expect(store.set('k', bytes('v'), inOneHour())).rejects.toSatisfy(
      StoreUnavailableError.isInstance,
    )
    await store.close()
  })
})

describe('lifecycle', () => {
  test('close destroys a client it created but not one it was given', async () => {
    const client = rawClient()
    const store = s3Store({ bucket: TEST_BUCKET, prefix: 'close/', client })
    await store.close()
    await store.close()
    await expect(store.get('k')).rejects.toSatisfy(ClosedError.isInstance)
    await expect(
      client.send(new HeadObjectCommand({ Bucket: TEST_BUCKET, Key: 'close/none' })),
    ).rejects.toMatchObject({ name: 'NotFound' })
    client.destroy()
  })
})
