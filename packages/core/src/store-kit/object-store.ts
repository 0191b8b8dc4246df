import { ClosedError } from '../errors.js'
import { type RemoteStore, STORE_CONTRACT_VERSION, type StoreCapabilities } from '../store.js'
import { mapConcurrent } from './concurrency.js'
import { withDeadline } from './deadline.js'
import {
  contentSha256,
  type PackedObjectBody,
  packObjectBody,
  readObjectKeyFrame,
  unpackObjectBody,
} from './object-body.js'
import {
  formatObjectExpiry,
  hashedKeyLength,
  isExpired,
  OBJECT_METADATA,
  parseObjectExpiry,
} from './object-metadata.js'
import { ObjectNameCodec } from './object-name.js'
import type { ResolvedObjectStoreOptions } from './object-store-options.js'
import { assertKey, assertPrefix, assertWrite } from './validate.js'

/** Object names are UTF-8: keys and prefixes must have a UTF-8 form. */
const UTF8 = { wellFormed: true } as const
/** Rounds of "conditional write, inspect the winner" an `add` tries before giving up. */
const ADD_ATTEMPTS = 3

/** What an object's metadata tells the store. */
export interface ObjectHead<Version> {
  /** From {@link OBJECT_METADATA.expiresAt}, via `parseObjectExpiry`. */
  readonly expiresAt: number
  /**
   * The backend's token for this exact object (S3's ETag, Cloud Storage's generation), or
   * `undefined` when the backend did not report one.
   */
  readonly version: Version | undefined
  /** The object's user metadata, as written by `packObjectBody`. */
  readonly metadata: Readonly<Record<string, string>>
}

/**
 * The head of an object with user metadata `metadata` and version token `version`: its
 * expiry is read from {@link OBJECT_METADATA.expiresAt} (`Infinity` when absent).
 *
 * @example
 * ```ts
 * const response = await client.head(bucket, name)
 * return objectHead(response.metadata, response.etag)
 * ```
 */
export function objectHead<Version>(
  metadata: Readonly<Record<string, string>>,
  version: Version | undefined,
): ObjectHead<Version> {
  const expiresAt = parseObjectExpiry(metadata[OBJECT_METADATA.expiresAt])
  return { expiresAt, version, metadata }
}

/** An object read by {@link ObjectStore.getObject}. */
export interface StoredObject<Version> {
  readonly head: ObjectHead<Version>
  /** The stored bytes; `undefined` when the head showed the object expired and they were not read. */
  readonly body: Uint8Array | undefined
}

/** One object of a listing page. */
export interface ListedObject<Version> {
  readonly name: string
  /** The head, when the listing carries user metadata (it spares one request per object). */
  readonly head?: ObjectHead<Version> | undefined
}

/** A write precondition: only if no object exists, or only if it is still `ifVersion`. */
export type WriteCondition<Version> = { readonly ifAbsent: true } | { readonly ifVersion: Version }

/**
 * A {@link RemoteStore} on a bucket of an object storage service (S3, Cloud Storage and the
 * like), one object per entry. A backend implements a few object operations; this class
 * does the rest, the same way for every backend:
 *
 * - keys become object names through {@link ObjectNameCodec} (any string is a key,
 *   `clear(prefix)` and `keys(prefix)` are prefix listings), and foreign objects under the
 *   prefix are left alone;
 * - bodies and metadata are framed by `packObjectBody` (expiry, compression, the key of a
 *   hashed name), and every read checks the expiry, so an expired object is a miss at once;
 * - `add` is atomic through the backend's conditional writes (or a check-then-write with
 *   `conditionalWrites: false`), `dedupeWrites` skips unchanged uploads;
 * - each call (each page or batch for `clear` and `keys`) runs under `withDeadline`, so a
 *   backend that is down fails within `timeout` with `StoreUnavailableError`.
 *
 * @example
 * ```ts
 * class MyStore extends ObjectStore<string> {
 *   readonly name = 'my-objects'
 *   constructor(private readonly client: MyClient, options: MyStoreOptions) {
 *     super(resolveObjectStoreOptions(options, { factory: 'myStore' }))
 *   }
 *   protected async headObject(name: string, signal: AbortSignal) {
 *     const head = await this.client.head(this.options.bucket, name, { signal })
 *     return head && objectHead(head.metadata, head.etag)
 *   }
 *   // getObject, putObject, deleteObject, readFirstBytes, listObjects, deleteObjects, closeClient
 * }
 * ```
 */
export abstract class ObjectStore<Version> implements RemoteStore {
  abstract readonly name: string
  readonly contractVersion = STORE_CONTRACT_VERSION
  readonly capabilities: StoreCapabilities
  protected readonly options: ResolvedObjectStoreOptions
  protected readonly codec: ObjectNameCodec
  #closed = false

  constructor(options: ResolvedObjectStoreOptions) {
    this.options = options
    this.codec = new ObjectNameCodec(options.prefix)
    this.capabilities = Object.freeze({
      batch: false,
      add: options.conditionalWrites,
      keys: true,
      ttlGranularity: 'ms',
      maxKeyBytes: undefined,
      maxValueBytes: options.maxValueBytes,
    })
  }

  /**
   * The head of object `name` and, unless that head is expired, its bytes; `undefined`
   * when there is no such object. Read the bytes of exactly the object whose head you
   * return.
   */
  protected abstract getObject(
    name: string,
    signal: AbortSignal,
  ): Promise<StoredObject<Version> | undefined>

  /** The head of object `name`, or `undefined` when there is no such object. */
  protected abstract headObject(
    name: string,
    signal: AbortSignal,
  ): Promise<ObjectHead<Version> | undefined>

  /**
   * Uploads `packed` as object `name` (with `expiresAt` for the backend's own lifecycle
   * fields, if any). With a `condition`, resolves `false` when it does not hold.
   */
  protected abstract putObject(
    name: string,
    packed: PackedObjectBody,
    expiresAt: number,
    condition: WriteCondition<Version> | undefined,
    signal: AbortSignal,
  ): Promise<boolean>

  /**
   * Deletes object `name` (only if it is still `version`, when given); `false` when it was
   * known to be gone already.
   */
  protected abstract deleteObject(
    name: string,
    version: Version | undefined,
    signal: AbortSignal,
  ): Promise<boolean>

  /** The first `length` bytes of object `name`, or `undefined` when it is gone. */
  protected abstract readFirstBytes(
    name: string,
    length: number,
    signal: AbortSignal,
  ): Promise<Uint8Array | undefined>

  /** The objects whose names start with `listPrefix`, a page at a time, each page under {@link deadline}. */
  protected abstract listObjects(
    listPrefix: string,
  ): AsyncIterable<readonly ListedObject<Version>[]>

  /** Deletes the objects named (one listing page at most), each request under {@link deadline}. */
  protected abstract deleteObjects(names: readonly string[]): Promise<void>

  /** Releases the client, if the store owns it; called once, by the first `close()`. */
  protected abstract closeClient(): Promise<void>

  /** Runs `operation` under the store's `timeout`; see `withDeadline`. */
  protected deadline<T>(
    key: string | undefined,
    operation: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    return withDeadline({ store: this.name, timeoutMs: this.options.timeoutMs, key }, operation)
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    this.#assertOpen()
    assertKey(key, UTF8)
    return this.deadline(key, (signal) => this.#read(key, signal))
  }

  async getMany(keys: readonly string[]): Promise<(Uint8Array | undefined)[]> {
    this.#assertOpen()
    for (const key of keys) assertKey(key, UTF8)
    return mapConcurrent(keys, this.options.concurrency, (key) =>
      this.deadline(key, (signal) => this.#read(key, signal)),
    )
  }

  async set(key: string, value: Uint8Array, expiresAt: number): Promise<void> {
    this.#assertOpen()
    this.#assertWrite(key, value, expiresAt)
    await this.deadline(key, async (signal) => {
      if (isExpired(expiresAt)) {
        await this.#remove(key, signal)
        return
      }
      const sha256 = this.options.dedupeWrites ? contentSha256(value) : undefined
      if (sha256 !== undefined && (await this.#isUnchanged(key, sha256, expiresAt, signal))) return
      await this.#write(key, value, expiresAt, sha256, undefined, signal)
    })
  }

  async add(key: string, value: Uint8Array, expiresAt: number): Promise<boolean> {
    this.#assertOpen()
    this.#assertWrite(key, value, expiresAt)
    return this.deadline(key, async (signal) => {
      if (isExpired(expiresAt)) return !(await this.#isLive(key, signal))
      if (!this.options.conditionalWrites) {
        if (await this.#isLive(key, signal)) return false
        await this.#write(key, value, expiresAt, undefined, undefined, signal)
        return true
      }
      return this.#addConditionally(key, value, expiresAt, signal)
    })
  }

  async delete(key: string): Promise<boolean> {
    this.#assertOpen()
    assertKey(key, UTF8)
    return this.deadline(key, (signal) => this.#remove(key, signal))
  }

  async clear(prefix: string): Promise<void> {
    this.#assertOpen()
    assertPrefix(prefix, UTF8)
    const listing = this.codec.listing(prefix)
    for await (const page of this.#pages(listing.exact)) {
      await this.#deleteListed(page.filter((object) => this.codec.parse(object.name)))
    }
    if (listing.hashedCandidates === undefined) return
    for await (const page of this.#pages(listing.hashedCandidates)) {
      const owners = await this.#owners(page)
      await this.#deleteListed(page.filter((_, index) => owners[index]?.key.startsWith(prefix)))
    }
  }

  async *keys(prefix: string): AsyncIterable<string> {
    this.#assertOpen()
    assertPrefix(prefix, UTF8)
    const listing = this.codec.listing(prefix)
    for (const listPrefix of [listing.exact, listing.hashedCandidates]) {
      if (listPrefix === undefined) continue
      for await (const page of this.#pages(listPrefix)) {
        // Heads that came with the listing spare the key lookups of expired objects.
        const candidates = page.filter(
          (object) => !object.head || !isExpired(object.head.expiresAt),
        )
        for (const owner of await this.#owners(candidates)) {
          if (owner?.key.startsWith(prefix) && !isExpired(owner.expiresAt)) yield owner.key
        }
      }
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.closeClient()
  }

  #assertOpen(): void {
    if (this.#closed) throw new ClosedError(`${this.name} store`)
  }

  #assertWrite(key: string, value: Uint8Array, expiresAt: number): void {
    assertKey(key, UTF8)
    assertWrite(key, value, expiresAt, this.options.maxValueBytes)
  }

  async #read(key: string, signal: AbortSignal): Promise<Uint8Array | undefined> {
    const name = this.codec.objectName(key).name
    const stored = await this.getObject(name, signal)
    if (stored === undefined) return undefined
    if (isExpired(stored.head.expiresAt)) {
      if (this.options.deleteExpiredOnRead) await this.#deleteExpired(name, stored.head, signal)
      return undefined
    }
    if (stored.body === undefined) return undefined
    return unpackObjectBody(key, stored.body, stored.head.metadata, this.options.maxValueBytes)
  }

  /** Best effort, and only while the object is still the expired one that was read. */
  async #deleteExpired(name: string, head: ObjectHead<Version>, signal: AbortSignal) {
    try {
      await this.deleteObject(name, head.version, signal)
    } catch {
      // The entry is already a miss; a lifecycle rule removes it eventually.
    }
  }

  async #isLive(key: string, signal: AbortSignal): Promise<boolean> {
    const head = await this.headObject(this.codec.objectName(key).name, signal)
    return head !== undefined && !isExpired(head.expiresAt)
  }

  async #isUnchanged(key: string, sha256: string, expiresAt: number, signal: AbortSignal) {
    const head = await this.headObject(this.codec.objectName(key).name, signal)
    return (
      head !== undefined &&
      head.metadata[OBJECT_METADATA.sha256] === sha256 &&
      head.metadata[OBJECT_METADATA.expiresAt] === formatObjectExpiry(expiresAt)
    )
  }

  /** Packs and uploads one entry; `false` when `condition` did not hold. */
  async #write(
    key: string,
    value: Uint8Array,
    expiresAt: number,
    sha256: string | undefined,
    condition: WriteCondition<Version> | undefined,
    signal: AbortSignal,
  ): Promise<boolean> {
    const { name, hashed } = this.codec.objectName(key)
    const packed = await packObjectBody(
      { key, value, expiresAt, hashedName: hashed, sha256 },
      this.options,
    )
    return this.putObject(name, packed, expiresAt, condition, signal)
  }

  /**
   * Writes only if absent; when an object is there, replaces it only if it is expired, and
   * only if it is still that object (its version).
   */
  async #addConditionally(
    key: string,
    value: Uint8Array,
    expiresAt: number,
    signal: AbortSignal,
  ): Promise<boolean> {
    const name = this.codec.objectName(key).name
    for (let attempt = 0; attempt < ADD_ATTEMPTS; attempt++) {
      if (await this.#write(key, value, expiresAt, undefined, { ifAbsent: true }, signal)) {
        return true
      }
      const head = await this.headObject(name, signal)
      if (head === undefined) continue // deleted since: try again
      if (!isExpired(head.expiresAt) || head.version === undefined) return false
      const replace = { ifVersion: head.version }
      if (await this.#write(key, value, expiresAt, undefined, replace, signal)) return true
    }
    return false
  }

  async #remove(key: string, signal: AbortSignal): Promise<boolean> {
    const name = this.codec.objectName(key).name
    const head = await this.headObject(name, signal)
    if (head === undefined) return false
    const deleted = await this.deleteObject(name, undefined, signal)
    return deleted && !isExpired(head.expiresAt)
  }

  async #deleteListed(objects: readonly ListedObject<Version>[]): Promise<void> {
    if (objects.length > 0) await this.deleteObjects(objects.map((object) => object.name))
  }

  /** Listing pages that hold objects; the store must still be open after each. */
  async *#pages(listPrefix: string): AsyncIterable<readonly ListedObject<Version>[]> {
    for await (const page of this.listObjects(listPrefix)) {
      if (page.length > 0) yield page
      this.#assertOpen()
    }
  }

  #owners(objects: readonly ListedObject<Version>[]) {
    return mapConcurrent(objects, this.options.concurrency, (object) =>
      this.deadline(undefined, (signal) => this.#owner(object, signal)),
    )
  }

  /** The key an object stores and its expiry, or `undefined` for foreign or vanished objects. */
  async #owner(
    object: ListedObject<Version>,
    signal: AbortSignal,
  ): Promise<{ readonly key: string; readonly expiresAt: number } | undefined> {
    const parsed = this.codec.parse(object.name)
    if (parsed === undefined) return undefined
    const head = object.head ?? (await this.headObject(object.name, signal))
    if (head === undefined) return undefined
    if (parsed.kind === 'plain') return { key: parsed.key, expiresAt: head.expiresAt }
    const length = hashedKeyLength(head.metadata)
    if (length === undefined) return undefined
    const frame = await this.readFirstBytes(object.name, length, signal)
    const key = frame && readObjectKeyFrame(frame, length)
    return key === undefined ? undefined : { key, expiresAt: head.expiresAt }
  }
}
