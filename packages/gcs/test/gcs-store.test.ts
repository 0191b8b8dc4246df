import type { Storage } from '@google-cloud/storage'
import { mapConcurrent } from '@stack/core/store-kit'
import { runObjectStoreCases } from '@stack/test-servers/object-store-cases'
import { beforeAll, describe, expect, test } from 'vitest'
import { gcsStore } from '../src/index.js'
import { recordRequests, uploadCount } from './requests.js'
import { gcsHarness, listNames, metadataOf, rawStorage, TEST_BUCKET, testStore } from './server.js'

const bytes = (text: string) => new TextEncoder().encode(text)
const inOneHour = () => Date.now() + 3_600_000

let raw: Storage
beforeAll(() => {
  raw = rawStorage()
})

runObjectStoreCases(gcsHarness(() => raw))

describe('clear', () => {
  test('pages through more than 1,000 objects', async () => {
    const storage = rawStorage()
    const requests = recordRequests(storage)
    const store = gcsStore({ bucket: TEST_BUCKET, prefix: 'clear-many/', storage })
    const keys = Array.from({ length: 1_100 }, (_, index) => `item:${index}`)
    await mapConcurrent(keys, 20, (key) => store.set(key, bytes(key), inOneHour()))
    await store.set('other', bytes('kept'), inOneHour())

    await store.clear('item:')

    expect(await listNames(raw, 'clear-many/')).toEqual(['clear-many/other'])
    const listings = requests.filter(
      (request) => request.method === 'GET' && request.uri.endsWith(`/b/${TEST_BUCKET}/o`),
    )
    expect(listings.length).toBe(2)
    expect(listings.every((listing) => listing.query.maxResults === 1_000)).toBe(true)
    await store.clear('')
    expect(await listNames(raw, 'clear-many/')).toEqual([])
    await store.close()
  })
})

describe('compression', () => {
  test.each([
    ['gzip', 'gzip'],
    ['brotli', 'br'],
  ] as const)(
    "%s: compressed values do not use Cloud Storage's own Content-Encoding",
    async (compression, flag) => {
      const store = testStore({ prefix: `compress-own-${compression}/`, compression })
      await store.set('big', bytes('all work and no play\n'.repeat(2_000)), inOneHour())
      const big = await metadataOf(raw, `compress-own-${compression}/big`)
      expect(big?.metadata?.encoding).toBe(flag)
      // GCS's own Content-Encoding would make downloads decompress (or not) on their own.
      expect(big?.contentEncoding ?? '').toBe('')
      await store.clear('')
      await store.close()
    },
  )
})

describe('dedupeWrites', () => {
  test('skips the upload when value and expiry are unchanged', async () => {
    const storage = rawStorage()
    const requests = recordRequests(storage)
    const store = gcsStore({ bucket: TEST_BUCKET, prefix: 'dedupe/', storage, dedupeWrites: true })
    const expiresAt = inOneHour()

    await store.set('k', bytes('same'), expiresAt)
    await store.set('k', bytes('same'), expiresAt)
    expect(uploadCount(requests)).toBe(1)

    await store.set('k', bytes('same'), expiresAt + 1_000) // new expiry: written
    await store.set('k', bytes('changed'), expiresAt + 1_000) // new value: written
    expect(uploadCount(requests)).toBe(3)
    expect(await store.get('k')).toEqual(bytes('changed'))
    await store.clear('')
    await store.close()
  })
})

describe('expiry', () => {
  test('the expiry is written to metadata and to customTime (for lifecycle rules)', async () => {
    const storage = rawStorage()
    const requests = recordRequests(storage)
    const store = gcsStore({ bucket: TEST_BUCKET, prefix: 'expiry-meta/', storage })
    const expiresAt = Date.UTC(2030, 0, 1)
    await store.set('k', bytes('v'), expiresAt)
    await store.set('forever', bytes('v'), Number.POSITIVE_INFINITY)
    expect((await metadataOf(raw, 'expiry-meta/k'))?.metadata?.['expires-at']).toBe(
      String(expiresAt),
    )
    expect((await metadataOf(raw, 'expiry-meta/forever'))?.metadata?.['expires-at']).toBeUndefined()
    // The emulator does not echo customTime back, so check what the uploads sent.
    const [finite, forever] = requests.filter((request) => request.uri.includes('/upload/'))
    expect(finite?.resource?.customTime).toBe(new Date(expiresAt).toISOString())
    expect(forever?.resource).toBeDefined()
    expect(forever?.resource?.customTime).toBeUndefined()
    await store.clear('')
    await store.close()
  })
})

describe('add', () => {
  test('with conditionalWrites (the default) the upload carries ifGenerationMatch=0', async () => {
    const storage = rawStorage()
    const requests = recordRequests(storage)
    const store = gcsStore({ bucket: TEST_BUCKET, prefix: 'add-conditional/', storage })
    expect(store.capabilities.add).toBe(true)
    expect(await store.add?.('lock', bytes('owner-1'), inOneHour())).toBe(true)
    const upload = requests.find((request) => request.uri.includes('/upload/'))
    expect(upload?.query.ifGenerationMatch).toBe(0)
    // The emulator ignores the precondition, so a second add cannot be refused here;
    // Cloud Storage answers 412.
    expect(await store.get('lock')).toEqual(bytes('owner-1'))
    await store.clear('')
    await store.close()
  })
})
