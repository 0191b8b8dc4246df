import { createServer, type Server, type Socket } from 'node:net'
import type { Storage } from '@google-cloud/storage'
import { ClosedError, StoreUnavailableError, ValueTooLargeError } from '@stack/core'
import { mapConcurrent } from '@stack/core/store-kit'
import { freePort } from '@stack/test-servers/process'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { gcsStore } from '../src/index.js'
import { recordRequests, uploadCount } from './requests.js'
import { emulatorOptions, rawStorage, TEST_BUCKET, testStore } from './server.js'

const bytes = (text: string) => new TextEncoder().encode(text)
const inOneHour = () => Date.now() + 3_600_000

let raw: Storage
beforeAll(() => {
  raw = rawStorage()
})

async function listNames(prefix: string): Promise<string[]> {
  const [files] = await raw.bucket(TEST_BUCKET).getFiles({ prefix })
  return files.map((file) => file.name)
}

async function metadataOf(name: string) {
  try {
    const [metadata] = await raw.bucket(TEST_BUCKET).file(name).getMetadata()
    return metadata
  } catch {
    return undefined
  }
}

async function putRaw(name: string, body: string, metadata: Record<string, string> = {}) {
  await raw.bucket(TEST_BUCKET).file(name).save(body, { resumable: false, metadata: { metadata } })
}

describe('clear', () => {
  test('pages through more than 1,000 objects', async () => {
    const storage = rawStorage()
    const requests = recordRequests(storage)
    const store = gcsStore({ bucket: TEST_BUCKET, prefix: 'clear-many/', storage })
    const keys = Array.from({ length: 1_100 }, (_, index) => `item:${index}`)
    await mapConcurrent(keys, 20, (key) => store.set(key, bytes(key), inOneHour()))
    await store.set('other', bytes('kept'), inOneHour())

    await store.clear('item:')

    expect(await listNames('clear-many/')).toEqual(['clear-many/other'])
    const listings = requests.filter(
      (request) => request.method === 'GET' && request.uri.endsWith(`/b/${TEST_BUCKET}/o`),
    )
    expect(listings.length).toBe(2)
    expect(listings.every((listing) => listing.query.maxResults === 1_000)).toBe(true)
    await store.clear('')
    expect(await listNames('clear-many/')).toEqual([])
    await store.close()
  })

  test('leaves objects it did not write alone, even under its own prefix', async () => {
    const store = testStore({ prefix: 'clear-foreign/' })
    await putRaw('clear-foreign/photos/cat.jpg', 'x')
    await putRaw('clear-foreign/readme.txt', 'x')
    await store.set('mine', bytes('1'), inOneHour())
    await store.clear('')
    expect((await listNames('clear-foreign/')).sort()).toEqual([
      'clear-foreign/photos/cat.jpg',
      'clear-foreign/readme.txt',
    ])
    await store.close()
  })

  test('a prefix too long for a hashed name still clears and lists exactly its keys', async () => {
    const store = testStore({ prefix: 'clear-long/' })
    const prefix = 'p'.repeat(1_500)
    const inside = [`${prefix}a`, `${prefix}b${'x'.repeat(2_000)}`]
    const outside = [`${'p'.repeat(1_499)}q`, 'p'.repeat(10)]
    for (const key of [...inside, ...outside]) await store.set(key, bytes(key), inOneHour())

    const listed: string[] = []
    for await (const key of store.keys?.(prefix) ?? []) listed.push(key)
    expect(listed.sort()).toEqual([...inside].sort())

    await store.clear(prefix)
    for (const key of inside) expect(await store.get(key)).toBeUndefined()
    for (const key of outside) expect(await store.get(key)).toEqual(bytes(key))
    await store.clear('')
    await store.close()
  })
})

describe('compression', () => {
  const compressible = bytes('all work and no play makes jack a dull boy\n'.repeat(2_000))

  test.each([
    ['gzip', 'gzip'],
    ['brotli', 'br'],
  ] as const)(
    '%s: large values are stored compressed, flagged, and read back whole',
    async (compression, flag) => {
      const store = testStore({ prefix: `compress-${compression}/`, compression })
      await store.set('big', compressible, inOneHour())
      await store.set('small', bytes('tiny'), inOneHour())

      const big = await metadataOf(`compress-${compression}/big`)
      expect(big?.metadata?.encoding).toBe(flag)
      expect(Number(big?.size)).toBeLessThan(compressible.byteLength / 10)
      // Not GCS's own Content-Encoding: that would make downloads decompress (or not) on their own.
      expect(big?.contentEncoding ?? '').toBe('')
      expect(
        (await metadataOf(`compress-${compression}/small`))?.metadata?.encoding,
      ).toBeUndefined()
      expect(await store.get('big')).toEqual(compressible)
      expect(await store.get('small')).toEqual(bytes('tiny'))

      // The flag, not the reader's option, decides: a store without compression reads it too.
      const plainReader = testStore({ prefix: `compress-${compression}/` })
      expect(await plainReader.get('big')).toEqual(compressible)
      await plainReader.close()
      await store.clear('')
      await store.close()
    },
  )

  test('incompressible values are stored as they are', async () => {
    const store = testStore({ prefix: 'compress-random/', compression: 'gzip' })
    const random = crypto.getRandomValues(new Uint8Array(8_192))
    await store.set('random', random, inOneHour())
    const metadata = await metadataOf('compress-random/random')
    expect(metadata?.metadata?.encoding).toBeUndefined()
    expect(Number(metadata?.size)).toBe(random.byteLength)
    expect(await store.get('random')).toEqual(random)
    await store.clear('')
    await store.close()
  })
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
    expect((await metadataOf('expiry-meta/k'))?.metadata?.['expires-at']).toBe(String(expiresAt))
    expect((await metadataOf('expiry-meta/forever'))?.metadata?.['expires-at']).toBeUndefined()
    // The emulator does not echo customTime back, so check what the uploads sent.
    const [finite, forever] = requests.filter((request) => request.uri.includes('/upload/'))
    expect(finite?.resource?.customTime).toBe(new Date(expiresAt).toISOString())
    expect(forever?.resource).toBeDefined()
    expect(forever?.resource?.customTime).toBeUndefined()
    await store.clear('')
    await store.close()
  })

  test('an expired object is a miss for get, delete and keys, and stays until a lifecycle rule runs', async () => {
    const store = testStore({ prefix: 'expired/' })
    await putRaw('expired/old', 'stale', { 'expires-at': String(Date.now() - 1_000) })
    expect(await store.get('old')).toBeUndefined()
    expect(await store.getMany?.(['old'])).toEqual([undefined])
    const listed: string[] = []
    for await (const key of store.keys?.('') ?? []) listed.push(key)
    expect(listed).toEqual([])
    expect(await metadataOf('expired/old')).toBeDefined()
    expect(await store.delete('old')).toBe(false)
    expect(await metadataOf('expired/old')).toBeUndefined()
    await store.close()
  })

  test('deleteExpiredOnRead removes an expired object when a read finds it', async () => {
    const store = testStore({ prefix: 'expired-lazy/', deleteExpiredOnRead: true })
    await store.set('soon', bytes('v'), Date.now() + 150)
    expect(await store.get('soon')).toEqual(bytes('v'))
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(await store.get('soon')).toBeUndefined()
    expect(await metadataOf('expired-lazy/soon')).toBeUndefined()
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

  test('without conditionalWrites add is declared non-atomic and checks before writing', async () => {
    const store = testStore({ prefix: 'add-check/' })
    expect(store.capabilities.add).toBe(false)
    expect(await store.add?.('lock', bytes('1'), inOneHour())).toBe(true)
    expect(await store.add?.('lock', bytes('2'), inOneHour())).toBe(false)
    expect(await store.get('lock')).toEqual(bytes('1'))
    await store.clear('')
    await store.close()
  })
})

describe('failure behaviour', () => {
  const sockets = new Set<Socket>()
  let silent: Server
  beforeAll(async () => {
    // Accepts connections and never answers: the timeout, not the socket, must end calls.
    silent = createServer((socket) => {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
    })
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  })
  afterAll(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => silent.close(resolve))
  })

  test('a server that does not answer fails every call with StoreUnavailableError at the timeout', async () => {
    const address = silent.address()
    const port = typeof address === 'object' && address ? address.port : 0
    const store = gcsStore({
      bucket: TEST_BUCKET,
      storageOptions: emulatorOptions(`http://127.0.0.1:${port}`),
      timeout: 300,
    })
    const calls = [
      store.get('k'),
      store.set('k', bytes('v'), inOneHour()),
      store.delete('k'),
      store.add?.('k', bytes('v'), inOneHour()),
      store.getMany?.(['a', 'b']),
      store.clear(''),
      (async () => {
        for await (const _ of store.keys?.('') ?? []) break
      })(),
    ]
    for (const call of calls) {
      await expect(call).rejects.toSatisfy(
        (error) =>
          StoreUnavailableError.isInstance(error) &&
          error.message.includes('no answer within 300 ms'),
      )
    }
    await store.close()
  })

  test('a server that is down fails calls with StoreUnavailableError carrying the cause', async () => {
    const store = gcsStore({
      bucket: TEST_BUCKET,
      // Without retries the first refusal is the answer (and the cause kept).
      storageOptions: {
        ...emulatorOptions(`http://127.0.0.1:${await freePort()}`),
        retryOptions: { autoRetry: false },
      },
      timeout: 5_000,
    })
    const error = await store.get('k').catch((failure: unknown) => failure)
    expect(StoreUnavailableError.isInstance(error)).toBe(true)
    expect((error as StoreUnavailableError).store).toBe('gcs')
    expect((error as StoreUnavailableError).key).toBe('k')
    expect((error as StoreUnavailableError).cause).toBeDefined()
    await store.close()
  })
})

describe('options and lifecycle', () => {
  test('bad options reject with InvalidOptionError naming the option', () => {
    const cases: [Parameters<typeof gcsStore>[0], string][] = [
      [{ bucket: '' }, 'bucket'],
      [{ bucket: 'b', storage: rawStorage(), storageOptions: {} }, 'storage'],
      [{ bucket: 'b', prefix: 'cache' }, 'prefix'],
      [{ bucket: 'b', timeout: 0 }, 'timeout'],
      [{ bucket: 'b', timeout: 'soon' }, 'timeout'],
      [{ bucket: 'b', compression: 'zstd' as 'gzip' }, 'compression'],
      [{ bucket: 'b', compressionThreshold: -1 }, 'compressionThreshold'],
      [{ bucket: 'b', concurrency: 0 }, 'concurrency'],
      [{ bucket: 'b', maxValueBytes: 0 }, 'maxValueBytes'],
      [{ bucket: 'b', dedupeWrites: 'yes' as unknown as boolean }, 'dedupeWrites'],
    ]
    for (const [options, option] of cases) {
      expect(() => gcsStore(options)).toThrow(
        expect.objectContaining({ code: 'E_INVALID_OPTION', option }),
      )
    }
  })

  test('values over maxValueBytes reject with ValueTooLargeError', async () => {
    const store = testStore({ prefix: 'too-large/', maxValueBytes: 1_024 })
    expect(store.capabilities.maxValueBytes).toBe(1_024)
    await expect(store.set('k', new Uint8Array(1_025), inOneHour())).rejects.toSatisfy(
      ValueTooLargeError.isInstance,
    )
    await store.close()
  })

  test('close is idempotent and later calls reject with ClosedError', async () => {
    const store = testStore({ prefix: 'close/' })
    await store.close()
    await store.close()
    await expect(store.get('k')).rejects.toSatisfy(ClosedError.isInstance)
  })
})
