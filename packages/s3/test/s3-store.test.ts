import { createServer, type Server, type Socket } from 'node:net'
import {
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3'
import {
  ClosedError,
  InvalidOptionError,
  StoreUnavailableError,
  ValueTooLargeError,
} from '@stack/core'
import { mapConcurrent } from '@stack/core/store-kit'
import { freePort } from '@stack/test-servers/process'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { s3Store } from '../src/index.js'
import { countOf, recordRequests } from './requests.js'
import { rawClient, s3rverClientOptions, TEST_BUCKET, testStore } from './server.js'

const bytes = (text: string) => new TextEncoder().encode(text)
const inOneHour = () => Date.now() + 3_600_000

let raw: S3Client
beforeAll(() => {
  raw = rawClient()
})
afterAll(() => raw.destroy())

async function listNames(prefix: string): Promise<string[]> {
  const names: string[] = []
  let token: string | undefined
  do {
    const page = await raw.send(
      new ListObjectsV2Command({ Bucket: TEST_BUCKET, Prefix: prefix, ContinuationToken: token }),
    )
    for (const object of page.Contents ?? []) if (object.Key) names.push(object.Key)
    token = page.NextContinuationToken
  } while (token !== undefined)
  return names
}

async function headOf(name: string) {
  try {
    return await raw.send(new HeadObjectCommand({ Bucket: TEST_BUCKET, Key: name }))
  } catch {
    return undefined
  }
}

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

    expect(await listNames('clear-many/')).toEqual(['clear-many/other'])
    expect(countOf(requests, 'ListObjectsV2Command')).toBe(2)
    expect(countOf(requests, 'DeleteObjectsCommand')).toBe(2)
    await store.clear('')
    expect(await listNames('clear-many/')).toEqual([])
    await store.close()
    client.destroy()
  })

  test('leaves objects it did not write alone, even under its own prefix', async () => {
    const store = testStore({ prefix: 'clear-foreign/' })
    for (const name of ['clear-foreign/photos/cat.jpg', 'clear-foreign/readme.txt']) {
      await raw.send(new PutObjectCommand({ Bucket: TEST_BUCKET, Key: name, Body: 'x' }))
    }
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

      const big = await headOf(`compress-${compression}/big`)
      expect(big?.Metadata?.encoding).toBe(flag)
      expect(big?.ContentLength).toBeLessThan(compressible.byteLength / 10)
      expect((await headOf(`compress-${compression}/small`))?.Metadata?.encoding).toBeUndefined()
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
    const head = await headOf('compress-random/random')
    expect(head?.Metadata?.encoding).toBeUndefined()
    expect(head?.ContentLength).toBe(random.byteLength)
    expect(await store.get('random')).toEqual(random)
    await store.clear('')
    await store.close()
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

describe('expiry', () => {
  test('an expired object is a miss for get, delete and keys, and stays until a lifecycle rule runs', async () => {
    const store = testStore({ prefix: 'expired/' })
    await raw.send(
      new PutObjectCommand({
        Bucket: TEST_BUCKET,
        Key: 'expired/old',
        Body: 'stale',
        Metadata: { 'expires-at': String(Date.now() - 1_000) },
      }),
    )
    expect(await store.get('old')).toBeUndefined()
    expect(await store.getMany?.(['old'])).toEqual([undefined])
    const listed: string[] = []
    for await (const key of store.keys?.('') ?? []) listed.push(key)
    expect(listed).toEqual([])
    expect(await headOf('expired/old')).toBeDefined()
    expect(await store.delete('old')).toBe(false)
    expect(await headOf('expired/old')).toBeUndefined()
    await store.close()
  })

  test('deleteExpiredOnRead removes an expired object when a read finds it', async () => {
    const store = testStore({ prefix: 'expired-lazy/', deleteExpiredOnRead: true })
    await store.set('soon', bytes('v'), Date.now() + 150)
    expect(await store.get('soon')).toEqual(bytes('v'))
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(await store.get('soon')).toBeUndefined()
    expect(await headOf('expired-lazy/soon')).toBeUndefined()
    await store.close()
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
    const store = s3Store({
      bucket: TEST_BUCKET,
      clientOptions: s3rverClientOptions(`http://127.0.0.1:${port}`),
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

  test('a missing bucket is a failure, not a miss', async () => {
    const store = testStore({ bucket: 'no-such-bucket', prefix: '' })
    await expect(store.get('k')).rejects.toSatisfy(StoreUnavailableError.isInstance)
    await expect(store.set('k', bytes('v'), inOneHour())).rejects.toSatisfy(
      StoreUnavailableError.isInstance,
    )
    await store.close()
  })

  test('a server that is down fails calls with StoreUnavailableError carrying the cause', async () => {
    const store = s3Store({
      bucket: TEST_BUCKET,
      clientOptions: s3rverClientOptions(`http://127.0.0.1:${await freePort()}`),
      timeout: 5_000,
    })
    const error = await store.get('k').catch((failure: unknown) => failure)
    expect(StoreUnavailableError.isInstance(error)).toBe(true)
    expect((error as StoreUnavailableError).store).toBe('s3')
    expect((error as StoreUnavailableError).key).toBe('k')
    expect((error as StoreUnavailableError).cause).toBeDefined()
    await store.close()
  })
})

describe('options and lifecycle', () => {
  test('bad options reject with InvalidOptionError naming the option', () => {
    const cases: [Parameters<typeof s3Store>[0], string][] = [
      [{ bucket: '' }, 'bucket'],
      [{ bucket: 'b', client: rawClient(), clientOptions: {} }, 'client'],
      [{ bucket: 'b', prefix: 'cache' }, 'prefix'],
      [{ bucket: 'b', timeout: 0 }, 'timeout'],
      [{ bucket: 'b', timeout: 'soon' }, 'timeout'],
      [{ bucket: 'b', compression: 'zstd' as 'gzip' }, 'compression'],
      [{ bucket: 'b', compressionThreshold: -1 }, 'compressionThreshold'],
      [{ bucket: 'b', concurrency: 0 }, 'concurrency'],
      [{ bucket: 'b', dedupeWrites: 'yes' as unknown as boolean }, 'dedupeWrites'],
    ]
    for (const [options, option] of cases) {
      expect(() => s3Store(options)).toThrow(
        expect.objectContaining({ code: 'E_INVALID_OPTION', option }),
      )
    }
    expect(InvalidOptionError.isInstance(catchError(() => s3Store({ bucket: '' })))).toBe(true)
  })

  test('values over maxValueBytes reject with ValueTooLargeError', async () => {
    const store = testStore({ prefix: 'too-large/', maxValueBytes: 1_024 })
    expect(store.capabilities.maxValueBytes).toBe(1_024)
    await expect(store.set('k', new Uint8Array(1_025), inOneHour())).rejects.toSatisfy(
      ValueTooLargeError.isInstance,
    )
    await store.close()
  })

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

function catchError(run: () => unknown): unknown {
  try {
    run()
  } catch (error) {
    return error
  }
  return undefined
}
