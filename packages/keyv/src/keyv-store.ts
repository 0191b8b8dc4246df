import {
  ClosedError,
  InvalidKeyError,
  type RemoteStore,
  STORE_CONTRACT_VERSION,
  type StoreCapabilities,
  StoreUnavailableError,
  UnsupportedError,
} from '@stack/core'
import { assertKey, assertPrefix, assertWrite, withDeadline } from '@stack/core/store-kit'
import type Keyv from 'keyv'
import { fromKeyvKey, toKeyvKey } from './key-codec.js'
import { type KeyvStoreOptions, type ResolvedKeyvOptions, resolveOptions } from './options.js'

/** Listings of keys started over after an entry vanished mid-scan, at most (see `#listLive`). */
const LISTING_ATTEMPTS = 5

/** What Keyv stores for one entry: the value as base64 text, and Keyv's own expiry. */
interface RawEntry {
  readonly value?: unknown
  readonly expires?: number | null | undefined
}

const DELETE_BATCH = 100

/**
 * Any Keyv storage adapter (`@keyv/redis`, `@keyv/postgres`, `@keyv/mongo`, `@keyv/dynamo`,
 * `@keyv/etcd`, ...) as a `@stack` remote tier.
 *
 * - Expiry: `expiresAt` (absolute epoch ms) becomes Keyv's relative TTL at write time
 *   (rounded up to whole seconds with `ttlGranularity: 's'`), and reads also check Keyv's
 *   recorded expiry, so an entry is never returned past it even on a backend without TTLs.
 * - Values: bytes are stored as base64 text, which every adapter can hold (many are
 *   string-only: Keyv serializes to JSON).
 * - `clear(prefix)` and `keys(prefix)` walk Keyv's `iterator()`, which the SQL, Redis,
 *   Mongo and etcd adapters (and a `Map`) provide; without it only `clear('')` works.
 * - `add` is not atomic in Keyv, so the store has none (distributed locks need another tier).
 *
 * @example
 * ```ts
 * import KeyvRedis from '@keyv/redis'
 * import { createCache, memory } from '@stack/core'
 * import { keyvStore } from '@stack/keyv'
 *
 * const cache = createCache({
 *   tiers: [memory(), keyvStore({ keyv: new KeyvRedis('redis://127.0.0.1:6379') })],
 * })
 * ```
 */
export function keyvStore(options: KeyvStoreOptions): KeyvStore {
  return new KeyvStore(resolveOptions(options))
}

export class KeyvStore implements RemoteStore {
  readonly name: string
  readonly contractVersion = STORE_CONTRACT_VERSION
  readonly capabilities: StoreCapabilities
  readonly #keyv: Keyv
  readonly #options: ResolvedKeyvOptions
  #closed = false

  constructor(options: ResolvedKeyvOptions) {
    this.name = options.name
    this.#keyv = options.keyv
    this.#options = options
    this.capabilities = {
      batch: false,
      add: false,
      keys: this.#keyv.iterator !== undefined,
      ttlGranularity: options.ttlGranularity,
      maxKeyBytes: options.maxKeyBytes === undefined ? undefined : options.maxKeyBytes - 1,
      maxValueBytes: options.maxValueBytes,
    }
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    this.#assertKey(key)
    const entry = await this.#call(key, () => this.#read(key))
    if (typeof entry?.value !== 'string') return undefined
    const decoded = Buffer.from(entry.value, 'base64')
    return new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.byteLength)
  }

  async set(key: string, value: Uint8Array, expiresAt: number): Promise<void> {
    this.#assertKey(key)
    assertWrite(key, value, expiresAt, this.capabilities.maxValueBytes)
    const ttl = this.#ttl(expiresAt)
    await this.#call(key, async () => {
      if (ttl === undefined) {
        await this.#keyv.delete(toKeyvKey(key))
        return
      }
      const text = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')
      if (!(await this.#keyv.set(toKeyvKey(key), text, ttl))) {
        throw new StoreUnavailableError(
          this.name,
          'the Keyv adapter refused the write',
          undefined,
          key,
        )
      }
    })
  }

  async delete(key: string): Promise<boolean> {
    this.#assertKey(key)
    return this.#call(key, async () => {
      const live = (await this.#read(key)) !== undefined
      await this.#keyv.delete(toKeyvKey(key))
      return live
    })
  }

  async clear(prefix: string): Promise<void> {
    assertPrefix(prefix, { wellFormed: true })
    this.#assertOpen()
    if (this.#keyv.iterator === undefined) {
      if (prefix !== '') {
        throw new UnsupportedError(
          `${this.name}: clear(prefix) needs a Keyv adapter with iterator(); this one can only clear('')`,
        )
      }
      await this.#call(undefined, () => this.#keyv.clear())
      return
    }
    await this.#call(undefined, async () => {
      let batch: string[] = []
      for await (const key of this.#walk(prefix)) {
        batch.push(toKeyvKey(key))
        if (batch.length === DELETE_BATCH) {
          await this.#keyv.delete(batch)
          batch = []
        }
      }
      if (batch.length > 0) await this.#keyv.delete(batch)
    })
  }

  async *keys(prefix: string): AsyncIterable<string> {
    assertPrefix(prefix, { wellFormed: true })
    this.#assertOpen()
    if (this.#keyv.iterator === undefined) {
      throw new UnsupportedError(`${this.name}: keys() needs a Keyv adapter with iterator()`)
    }
    const keys = await this.#call(undefined, () => this.#listLive(prefix))
    yield* keys
  }

  /**
   * The live keys under `prefix`. Keyv's iterator (5.x) reads each entry after its
   * adapter listed it and throws a `TypeError` when the entry went away in between (it
   * expired or was deleted mid-scan); such a listing is started over, a bounded number of
   * times, as the vanished entry is no longer listed.
   */
  async #listLive(prefix: string): Promise<string[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        const keys: string[] = []
        for await (const key of this.#walk(prefix)) {
          // Keyv's iterator still yields an entry at `expires === now`; the contract says it is gone.
          if ((await this.#read(key)) !== undefined) keys.push(key)
        }
        return keys
      } catch (error) {
        if (!(error instanceof TypeError) || attempt >= LISTING_ATTEMPTS) throw error
      }
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    // A client that never connected may never settle its disconnect: bounded, and best effort.
    const { name, timeoutMs } = this.#options
    await withDeadline({ store: name, timeoutMs }, () => this.#keyv.disconnect()).catch(
      () => undefined,
    )
  }

  /** The live entry of `key`, or `undefined`; Keyv's expiry is checked here too. */
  async #read(key: string): Promise<RawEntry | undefined> {
    const entry = (await this.#keyv.get(toKeyvKey(key), { raw: true })) as RawEntry | undefined
    if (entry === undefined || entry === null) return undefined
    const expires = entry.expires
    return typeof expires === 'number' && expires <= Date.now() ? undefined : entry
  }

  /** Cache keys under `prefix` that Keyv's iterator yields (it skips only keys already past `expires`). */
  async *#walk(prefix: string): AsyncIterable<string> {
    const iterator = this.#keyv.iterator as NonNullable<Keyv['iterator']>
    for await (const [keyvKey] of iterator(undefined)) {
      const key = typeof keyvKey === 'string' ? fromKeyvKey(keyvKey) : undefined
      if (key?.startsWith(prefix)) yield key
    }
  }

  /** Keyv's TTL for `expiresAt`: `0` for never, `undefined` when it is already past. */
  #ttl(expiresAt: number): number | undefined {
    if (expiresAt === Number.POSITIVE_INFINITY) return 0
    const ms = expiresAt - Date.now()
    if (ms <= 0) return undefined
    return this.#options.ttlGranularity === 's' ? Math.ceil(ms / 1000) * 1000 : Math.ceil(ms)
  }

  #assertKey(key: string): void {
    assertKey(key, { wellFormed: true })
    const limit = this.capabilities.maxKeyBytes
    if (limit !== undefined && Buffer.byteLength(key) > limit) {
      throw new InvalidKeyError(`key is longer than ${limit} bytes, the limit of ${this.name}`, key)
    }
    this.#assertOpen()
  }

  #assertOpen(): void {
    if (this.#closed) throw new ClosedError(`store '${this.name}'`)
  }

  #call<T>(key: string | undefined, operation: () => Promise<T>): Promise<T> {
    this.#assertOpen()
    return withDeadline({ store: this.name, timeoutMs: this.#options.timeoutMs, key }, operation)
  }
}
