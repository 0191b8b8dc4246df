import { ClosedError } from '../errors.js'
import {
  type RemoteStore,
  STORE_CONTRACT_VERSION,
  type StoreCapabilities,
  type StoreStats,
} from '../store.js'
import { mapConcurrent } from './concurrency.js'
import { ObjectBackend } from './object-backend.js'
import {
  contentSha256,
  type ObjectWrite,
  packObjectBody,
  readObjectKeyFrame,
  unpackObjectBody,
} from './object-body.js'
import {
  joinObjectValue,
  planDedupWrite,
  rewrittenMetadata,
  splitObjectWrite,
} from './object-dedup.js'
import type { ListedObject, ObjectHead, WriteCondition } from './object-head.js'
import {
  formatObjectExpiry,
  hashedKeyLength,
  isExpired,
  OBJECT_METADATA,
} from './object-metadata.js'
import type { ResolvedObjectStoreOptions } from './object-store-options.js'
import { assertKey, assertPrefix, assertWrite } from './validate.js'

/** Object names are UTF-8: keys and prefixes must have a UTF-8 form. */
const UTF8 = { wellFormed: true } as const
/** Rounds of "conditional write, inspect the winner" an `add` tries before giving up. */
const ADD_ATTEMPTS = 3

export {
  type ListedObject,
  type ObjectHead,
  objectHead,
  type StoredObject,
  type WriteCondition,
} from './object-head.js'

/** The fields of a write besides the value: digest and envelope header, when deduplicating. */
type WriteFields = Pick<ObjectWrite, 'sha256' | 'header'>

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
 *   `conditionalWrites: false`);
 * - with `dedupeWrites`, an envelope's payload is the body and its header is metadata, so
 *   a rewrite of an unchanged value changes only metadata (through {@link updateMetadata},
 *   when the backend implements it) and uploads nothing;
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
export abstract class ObjectStore<Version> extends ObjectBackend<Version> implements RemoteStore {
  readonly contractVersion = STORE_CONTRACT_VERSION
  readonly capabilities: StoreCapabilities
  #closed = false
  /** Uploads, writes that uploaded no value, and body bytes uploaded: see {@link stats}. */
  readonly #counts = { writes: 0, dedupedWrites: 0, writtenBytes: 0 }

  constructor(options: ResolvedObjectStoreOptions) {
    super(options)
    this.capabilities = Object.freeze({
      batch: false,
      add: options.conditionalWrites,
      keys: true,
      ttlGranularity: 'ms',
      maxKeyBytes: undefined,
      maxValueBytes: options.maxValueBytes,
      dedupeWrites: options.dedupeWrites && typeof this.updateMetadata === 'function',
    })
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
      if (this.options.dedupeWrites) await this.#dedupedSet(key, value, expiresAt, signal)
      else await this.#write(key, value, expiresAt, {}, undefined, signal)
    })
  }

  /**
   * This instance's counters: `writes` (objects uploaded with their bytes),
   * `dedupedWrites` (sets that uploaded no value: a metadata rewrite, or nothing at all),
   * `writtenBytes` (body bytes uploaded, after compression).
   *
   * @example
   * ```ts
   * store.stats() // { writes: 1, dedupedWrites: 99, writtenBytes: 1_048_576 }
   * ```
   */
  stats(): StoreStats {
    return { ...this.#counts }
  }

  async add(key: string, value: Uint8Array, expiresAt: number): Promise<boolean> {
    this.#assertOpen()
    this.#assertWrite(key, value, expiresAt)
    return this.deadline(key, async (signal) => {
      if (isExpired(expiresAt)) return !(await this.#isLive(key, signal))
      if (!this.options.conditionalWrites) {
        if (await this.#isLive(key, signal)) return false
        await this.#write(key, value, expiresAt, {}, undefined, signal)
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
    const { metadata } = stored.head
    const value = await unpackObjectBody(key, stored.body, metadata, this.options.maxValueBytes)
    return value && joinObjectValue(value, metadata)
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

  /**
   * A `set` under `dedupeWrites`. An envelope is split: when the object already holds its
   * payload, only the header and expiry are rewritten, on the condition that the object is
   * still the version whose payload was compared (else it is uploaded in full; without
   * server-side conditions the version is checked again after the rewrite). Other values
   * are skipped only when value and expiry are both the same.
   */
  async #dedupedSet(key: string, value: Uint8Array, expiresAt: number, signal: AbortSignal) {
    const split = splitObjectWrite(value, contentSha256)
    if (split === undefined) {
      const sha256 = contentSha256(value)
      if (await this.#isUnchanged(key, sha256, expiresAt, signal)) this.#counts.dedupedWrites++
      else await this.#write(key, value, expiresAt, { sha256 }, undefined, signal)
      return
    }
    const name = this.codec.objectName(key).name
    const head = await this.headObject(name, signal)
    const plan = planDedupWrite(head?.metadata, split, expiresAt)
    if (plan === 'nothing') {
      this.#counts.dedupedWrites++
      return
    }
    if (plan === 'metadata' && head?.version !== undefined && this.updateMetadata) {
      const metadata = rewrittenMetadata(head.metadata, split, expiresAt)
      if (
        (await this.updateMetadata(name, metadata, expiresAt, head, signal)) &&
        (this.options.conditionalWrites || (await this.#isStill(name, head.version, signal)))
      ) {
        this.#counts.dedupedWrites++
        return
      }
    }
    const fields = { sha256: split.sha256, header: split.header }
    await this.#write(key, split.payload, expiresAt, fields, undefined, signal)
  }

  /**
   * On a server that ignores write conditions (`conditionalWrites: false`), a metadata
   * update may have landed on an object another writer replaced meanwhile: `false` then,
   * and the caller uploads its value whole over that mix.
   */
  async #isStill(name: string, version: Version, signal: AbortSignal): Promise<boolean> {
    return (await this.headObject(name, signal))?.version === version
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
    fields: WriteFields,
    condition: WriteCondition<Version> | undefined,
    signal: AbortSignal,
  ): Promise<boolean> {
    const { name, hashed } = this.codec.objectName(key)
    const packed = await packObjectBody(
      { key, value, expiresAt, hashedName: hashed, ...fields },
      this.options,
    )
    const written = await this.putObject(name, packed, expiresAt, condition, signal)
    if (written) {
      this.#counts.writes++
      this.#counts.writtenBytes += packed.body.byteLength
    }
    return written
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
      if (await this.#write(key, value, expiresAt, {}, { ifAbsent: true }, signal)) {
        return true
      }
      const head = await this.headObject(name, signal)
      if (head === undefined) continue // deleted since: try again
      if (!isExpired(head.expiresAt) || head.version === undefined) return false
      const replace = { ifVersion: head.version }
      if (await this.#write(key, value, expiresAt, {}, replace, signal)) return true
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
