import { createServer, type Server, type Socket } from 'node:net'
import {
  ClosedError,
  type Duration,
  InvalidOptionError,
  type RemoteStore,
  StoreUnavailableError,
  ValueTooLargeError,
} from '@stack/core'
import type { ObjectStoreOptions } from '@stack/core/store-kit'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { freePort } from './process.js'

/** What one object's stored form looks like from the server's side. */
export interface RawObject {
  /** Its user metadata (the store's `OBJECT_METADATA` fields among them). */
  readonly metadata: Readonly<Record<string, string>>
  /** Its stored size in bytes. */
  readonly size: number
}

/** How {@link runObjectStoreCases} reaches one object store and its test server. */
export interface ObjectStoreHarness {
  /** The store's `name`, e.g. `'s3'`, as its errors carry it. */
  readonly storeName: string
  /** A store on the shared test server (`conditionalWrites: false` unless `options` say so). */
  testStore(options: Partial<ObjectStoreOptions> & { readonly prefix: string }): RemoteStore
  /** The store's factory, given options as a user would. */
  createStore(options: ObjectStoreOptions): RemoteStore
  /** Options only this backend refuses (its client options), each with the option named. */
  backendBadOptions(): readonly (readonly [ObjectStoreOptions, string])[]
  /** A store whose client talks to `endpoint` instead (nothing, or a server that never answers). */
  storeAt(endpoint: string, timeout: Duration): RemoteStore
  /** Object names under `prefix`, straight from the server. */
  listNames(prefix: string): Promise<string[]>
  /** The object called `name`, or `undefined` when there is none. */
  rawObject(name: string): Promise<RawObject | undefined>
  /** Writes an object the way another application would. */
  putRaw(name: string, body: string, metadata?: Record<string, string>): Promise<void>
}

const bytes = (text: string) => new TextEncoder().encode(text)
const inOneHour = () => Date.now() + 3_600_000

async function listKeys(store: RemoteStore, prefix: string): Promise<string[]> {
  const listed: string[] = []
  for await (const key of store.keys?.(prefix) ?? []) listed.push(key)
  return listed
}

/**
 * Registers the behaviour tests that every store built on `ObjectStore` must pass against
 * its real test server (the conformance suite aside): foreign objects, long prefixes,
 * compression, expiry on read, check-then-write `add`, deadlines, options, value limits,
 * `close`.
 * Each test works under its own prefix.
 *
 * @example
 * ```ts
 * runObjectStoreCases({ storeName: 's3', createStore: s3Store, testStore, ... })
 * ```
 */
export function runObjectStoreCases(harness: ObjectStoreHarness): void {
  const { testStore, listNames, rawObject, putRaw } = harness

  describe('clear', () => {
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

      expect((await listKeys(store, prefix)).sort()).toEqual([...inside].sort())

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

        const big = await rawObject(`compress-${compression}/big`)
        expect(big?.metadata.encoding).toBe(flag)
        expect(big?.size).toBeLessThan(compressible.byteLength / 10)
        const small = await rawObject(`compress-${compression}/small`)
        expect(small?.metadata.encoding).toBeUndefined()
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
      const raw = await rawObject('compress-random/random')
      expect(raw?.metadata.encoding).toBeUndefined()
      expect(raw?.size).toBe(random.byteLength)
      expect(await store.get('random')).toEqual(random)
      await store.clear('')
      await store.close()
    })
  })

  describe('expiry', () => {
    test('an expired object is a miss for get, delete and keys, and stays until a lifecycle rule runs', async () => {
      const store = testStore({ prefix: 'expired/' })
      await putRaw('expired/old', 'stale', { 'expires-at': String(Date.now() - 1_000) })
      expect(await store.get('old')).toBeUndefined()
      expect(await store.getMany?.(['old'])).toEqual([undefined])
      expect(await listKeys(store, '')).toEqual([])
      expect(await rawObject('expired/old')).toBeDefined()
      expect(await store.delete('old')).toBe(false)
      expect(await rawObject('expired/old')).toBeUndefined()
      await store.close()
    })

    test('deleteExpiredOnRead removes an expired object when a read finds it', async () => {
      const store = testStore({ prefix: 'expired-lazy/', deleteExpiredOnRead: true })
      await store.set('soon', bytes('v'), Date.now() + 150)
      expect(await store.get('soon')).toEqual(bytes('v'))
      await new Promise((resolve) => setTimeout(resolve, 200))
      expect(await store.get('soon')).toBeUndefined()
      expect(await rawObject('expired-lazy/soon')).toBeUndefined()
      await store.close()
    })
  })

  describe('add', () => {
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
      const store = harness.storeAt(`http://127.0.0.1:${port}`, 300)
      const calls = [
        store.get('k'),
        store.set('k', bytes('v'), inOneHour()),
        store.delete('k'),
        store.add?.('k', bytes('v'), inOneHour()),
        store.getMany?.(['a', 'b']),
        store.clear(''),
        listKeys(store, ''),
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
      const store = harness.storeAt(`http://127.0.0.1:${await freePort()}`, 5_000)
      const error = await store.get('k').catch((failure: unknown) => failure)
      expect(StoreUnavailableError.isInstance(error)).toBe(true)
      expect((error as StoreUnavailableError).store).toBe(harness.storeName)
      expect((error as StoreUnavailableError).key).toBe('k')
      expect((error as StoreUnavailableError).cause).toBeDefined()
      await store.close()
    })
  })

  describe('options, limits and lifecycle', () => {
    // Every rule is unit-tested with resolveObjectStoreOptions in core; this proves the
    // factory applies them, and the backend's own.
    test('bad options reject with InvalidOptionError naming the option', () => {
      const cases: (readonly [ObjectStoreOptions, string])[] = [
        [{ bucket: '' }, 'bucket'],
        [{ bucket: 'b', prefix: 'cache' }, 'prefix'],
        [{ bucket: 'b', timeout: 0 }, 'timeout'],
        [{ bucket: 'b', compression: 'zstd' as 'gzip' }, 'compression'],
        [{ bucket: 'b', maxValueBytes: 0 }, 'maxValueBytes'],
        ...harness.backendBadOptions(),
      ]
      for (const [options, option] of cases) {
        expect(() => harness.createStore(options)).toThrow(
          expect.objectContaining({ code: 'E_INVALID_OPTION', option }),
        )
      }
      let thrown: unknown
      try {
        harness.createStore({ bucket: '' })
      } catch (error) {
        thrown = error
      }
      expect(InvalidOptionError.isInstance(thrown)).toBe(true)
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
}
