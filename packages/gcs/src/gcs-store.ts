import type { Bucket, File, FileMetadata } from '@google-cloud/storage'
import { Storage } from '@google-cloud/storage'
import {
  ClosedError,
  InvalidKeyError,
  InvalidOptionError,
  InvalidValueError,
  type RemoteStore,
  STORE_CONTRACT_VERSION,
  type StoreCapabilities,
  ValueTooLargeError,
} from '@stack/core'
import { mapConcurrent } from './concurrency.js'
import { withDeadline } from './deadline.js'
import { isConditionFailed, isNotFound } from './gcs-errors.js'
import { assertValidKey, isWellFormedUnicode, KeyCodec } from './key-codec.js'
import { formatExpiry, isExpired, META, parseExpiry } from './metadata.js'
import { contentHash, packBody, readKeyFrame, unpackBody } from './object-body.js'
import { type GcsStoreOptions, type ResolvedOptions, resolveOptions } from './options.js'

const STORE_NAME = 'gcs'
/** Objects per listing page. */
const PAGE_SIZE = 1000
/** Rounds of "conditional upload, inspect the winner" an `add` tries before giving up. */
const ADD_ATTEMPTS = 3
/** Reads retried when the object is replaced between its metadata and its bytes. */
const READ_ATTEMPTS = 3
/** `customTime` must be an RFC 3339 date; later expiries are left out of it. */
const LAST_CUSTOM_TIME = Date.UTC(9999, 11, 31)

/** What the store reads from an object's metadata. */
interface ObjectInfo {
  readonly name: string
  readonly generation: string | number | undefined
  readonly expiresAt: number
  readonly fields: Readonly<Record<string, string>>
}

type Preconditions = { readonly ifGenerationMatch: string | number } | undefined

/**
 * Creates a {@link RemoteStore} on a Google Cloud Storage bucket.
 *
 * Each entry is one object. Its expiry is the custom-metadata field `expires-at` (epoch
 * ms), checked on every read, so an expired object is a miss at once; it is also written
 * to the object's `customTime`, so a lifecycle rule on `daysSinceCustomTime` deletes it
 * physically (see the README). Keys are percent-encoded into object names (hashed when too
 * long for the 1,024-byte limit), so any string is a valid key and `clear(prefix)` stays a
 * prefix listing.
 *
 * @example
 * ```ts
 * import { createCache, memory } from '@stack/core'
 * import { gcsStore } from '@stack/gcs'
 *
 * const cache = createCache({
 *   tiers: [memory(), gcsStore({ bucket: 'my-cache', prefix: 'reports/', compression: 'gzip' })],
 *   ttl: '5m',
 * })
 * ```
 */
export function gcsStore(options: GcsStoreOptions): RemoteStore {
  const resolved = resolveOptions(options)
  const codec = new KeyCodec(resolved.prefix)
  const storage =
    options.storage ??
    new Storage({
      // A cache tier should fail fast: one retry, none after the call's deadline.
      timeout: resolved.timeoutMs,
      retryOptions: { maxRetries: 1, totalTimeout: Math.ceil(resolved.timeoutMs / 1000) },
      ...options.storageOptions,
    })
  return new GcsStore(storage.bucket(resolved.bucket), resolved, codec)
}

class GcsStore implements RemoteStore {
  readonly name = STORE_NAME
  readonly contractVersion = STORE_CONTRACT_VERSION
  readonly capabilities: StoreCapabilities
  private closed = false

  constructor(
    private readonly bucket: Bucket,
    private readonly options: ResolvedOptions,
    private readonly codec: KeyCodec,
  ) {
    this.capabilities = Object.freeze({
      batch: false,
      add: options.conditionalWrites,
      keys: true,
      ttlGranularity: 'ms',
      maxKeyBytes: undefined,
      maxValueBytes: options.maxValueBytes,
    })
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    this.assertOpen()
    assertValidKey(key)
    return this.deadline(key, () => this.read(key))
  }

  async getMany(keys: readonly string[]): Promise<(Uint8Array | undefined)[]> {
    this.assertOpen()
    for (const key of keys) assertValidKey(key)
    return mapConcurrent(keys, this.options.concurrency, (key) =>
      this.deadline(key, () => this.read(key)),
    )
  }

  async set(key: string, value: Uint8Array, expiresAt: number): Promise<void> {
    this.assertOpen()
    this.assertWrite(key, value, expiresAt)
    await this.deadline(key, async () => {
      if (isExpired(expiresAt)) {
        await this.remove(key)
        return
      }
      const sha256 = this.options.dedupeWrites ? contentHash(value) : undefined
      if (sha256 !== undefined && (await this.isUnchanged(key, sha256, expiresAt))) return
      await this.write(key, value, expiresAt, sha256, undefined)
    })
  }

  async add(key: string, value: Uint8Array, expiresAt: number): Promise<boolean> {
    this.assertOpen()
    this.assertWrite(key, value, expiresAt)
    return this.deadline(key, async () => {
      if (isExpired(expiresAt)) return !(await this.isLive(key))
      if (!this.options.conditionalWrites) {
        if (await this.isLive(key)) return false
        await this.write(key, value, expiresAt, undefined, undefined)
        return true
      }
      return this.addConditionally(key, value, expiresAt)
    })
  }

  async delete(key: string): Promise<boolean> {
    this.assertOpen()
    assertValidKey(key)
    return this.deadline(key, () => this.remove(key))
  }

  async clear(prefix: string): Promise<void> {
    this.assertOpen()
    assertValidPrefix(prefix)
    const listing = this.codec.listing(prefix)
    for await (const page of this.listPages(listing.exact)) {
      await this.deleteAll(page.filter((object) => this.codec.parse(object.name) !== undefined))
    }
    if (listing.hashedCandidates === undefined) return
    for await (const page of this.listPages(listing.hashedCandidates)) {
      const owners = await mapConcurrent(page, this.options.concurrency, (object) =>
        this.deadline(undefined, () => this.originalKey(object)),
      )
      await this.deleteAll(page.filter((_, index) => owners[index]?.startsWith(prefix)))
    }
  }

  async *keys(prefix: string): AsyncIterable<string> {
    this.assertOpen()
    assertValidPrefix(prefix)
    const listing = this.codec.listing(prefix)
    for (const listPrefix of [listing.exact, listing.hashedCandidates]) {
      if (listPrefix === undefined) continue
      for await (const page of this.listPages(listPrefix)) {
        const live = page.filter((object) => !isExpired(object.expiresAt))
        const owners = await mapConcurrent(live, this.options.concurrency, (object) =>
          this.deadline(undefined, () => this.originalKey(object)),
        )
        for (const owner of owners) if (owner?.startsWith(prefix)) yield owner
      }
    }
  }

  async close(): Promise<void> {
    // `Storage` has no close(); in-flight calls settle on their own.
    this.closed = true
  }

  private assertOpen(): void {
    if (this.closed) throw new ClosedError('gcs store')
  }

  private assertWrite(key: string, value: Uint8Array, expiresAt: number): void {
    assertValidKey(key)
    if (!(value instanceof Uint8Array)) {
      throw new InvalidValueError(`value for key "${key}" must be a Uint8Array`, key)
    }
    if (typeof expiresAt !== 'number' || Number.isNaN(expiresAt)) {
      throw new InvalidOptionError('expiresAt', `expiresAt for key "${key}" must be epoch ms`)
    }
    const limit = this.options.maxValueBytes
    if (limit !== undefined && value.byteLength > limit) {
      throw new ValueTooLargeError(key, value.byteLength, limit)
    }
  }

  private deadline<T>(key: string | undefined, operation: () => Promise<T>): Promise<T> {
    return withDeadline(STORE_NAME, this.options.timeoutMs, key, operation)
  }

  private file(key: string): File {
    return this.bucket.file(this.codec.objectKey(key).name)
  }

  /**
   * Metadata first (an expired entry costs no download), then the bytes of exactly that
   * generation; if it was replaced in between, start over.
   */
  private async read(key: string): Promise<Uint8Array | undefined> {
    const name = this.codec.objectKey(key).name
    for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      const info = await this.info(name)
      if (info === undefined) return undefined
      if (isExpired(info.expiresAt)) {
        if (this.options.deleteExpiredOnRead) await this.deleteExpired(info)
        return undefined
      }
      const generation = info.generation === undefined ? {} : { generation: info.generation }
      let body: Buffer
      try {
        ;[body] = await this.bucket.file(name, generation).download()
      } catch (error) {
        if (isNotFound(error)) continue
        throw error
      }
      return unpackBody(key, body, info.fields)
    }
    return undefined
  }

  /** Best effort, and only if the object is still the expired generation that was read. */
  private async deleteExpired(info: ObjectInfo): Promise<void> {
    try {
      const conditions = info.generation === undefined ? {} : { ifGenerationMatch: info.generation }
      await this.bucket.file(info.name).delete(conditions)
    } catch {
      // The entry is already a miss; the lifecycle rule removes it eventually.
    }
  }

  private async info(name: string): Promise<ObjectInfo | undefined> {
    let metadata: FileMetadata
    try {
      ;[metadata] = await this.bucket.file(name).getMetadata()
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
    return objectInfo(name, metadata)
  }

  private async isLive(key: string): Promise<boolean> {
    const info = await this.info(this.codec.objectKey(key).name)
    return info !== undefined && !isExpired(info.expiresAt)
  }

  private async isUnchanged(key: string, sha256: string, expiresAt: number): Promise<boolean> {
    const info = await this.info(this.codec.objectKey(key).name)
    return (
      info !== undefined &&
      info.fields[META.sha256] === sha256 &&
      info.fields[META.expiresAt] === formatExpiry(expiresAt)
    )
  }

  private async write(
    key: string,
    value: Uint8Array,
    expiresAt: number,
    sha256: string | undefined,
    preconditions: Preconditions,
  ): Promise<void> {
    const { name, hashed } = this.codec.objectKey(key)
    const fields: Record<string, string> = {}
    const expiry = formatExpiry(expiresAt)
    if (expiry !== undefined) fields[META.expiresAt] = expiry
    if (sha256 !== undefined) fields[META.sha256] = sha256
    const { body, metadata } = await packBody(key, value, hashed, this.options, fields)
    const customTime =
      expiresAt <= LAST_CUSTOM_TIME ? { customTime: new Date(expiresAt).toISOString() } : {}
    await this.bucket.file(name).save(Buffer.from(body.buffer, body.byteOffset, body.byteLength), {
      resumable: false,
      gzip: false,
      contentType: 'application/octet-stream',
      metadata: { ...customTime, metadata },
      ...(preconditions === undefined ? {} : { preconditionOpts: preconditions }),
    })
  }

  /**
   * Upload with `ifGenerationMatch: 0` (only if absent); when an object is there, replace
   * it only if it is expired, and only if it is still that generation.
   */
  private async addConditionally(
    key: string,
    value: Uint8Array,
    expiresAt: number,
  ): Promise<boolean> {
    const name = this.codec.objectKey(key).name
    for (let attempt = 0; attempt < ADD_ATTEMPTS; attempt++) {
      if (await this.tryWrite(key, value, expiresAt, { ifGenerationMatch: 0 })) return true
      const info = await this.info(name)
      if (info === undefined) continue // deleted since: try again
      if (!isExpired(info.expiresAt) || info.generation === undefined) return false
      const replace = { ifGenerationMatch: info.generation }
      if (await this.tryWrite(key, value, expiresAt, replace)) return true
    }
    return false
  }

  /** A conditional upload: `false` when its precondition failed. */
  private async tryWrite(
    key: string,
    value: Uint8Array,
    expiresAt: number,
    preconditions: Preconditions,
  ): Promise<boolean> {
    try {
      await this.write(key, value, expiresAt, undefined, preconditions)
      return true
    } catch (error) {
      if (isConditionFailed(error)) return false
      throw error
    }
  }

  private async remove(key: string): Promise<boolean> {
    const name = this.codec.objectKey(key).name
    const info = await this.info(name)
    if (info === undefined) return false
    try {
      await this.bucket.file(name).delete()
    } catch (error) {
      if (isNotFound(error)) return false // deleted concurrently
      throw error
    }
    return !isExpired(info.expiresAt)
  }

  /** The key a listed object stores, or `undefined` for foreign or vanished objects. */
  private async originalKey(object: ObjectInfo): Promise<string | undefined> {
    const parsed = this.codec.parse(object.name)
    if (parsed === undefined) return undefined
    if (parsed.kind === 'plain') return parsed.key
    const length = Number(object.fields[META.keyBytes])
    if (!Number.isSafeInteger(length) || length <= 0) return undefined
    let frame: Buffer
    try {
      ;[frame] = await this.bucket.file(object.name).download({ start: 0, end: length - 1 })
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
    return readKeyFrame(frame, length)
  }

  /** Objects under `listPrefix` with their metadata, one page (up to 1,000) at a time. */
  private async *listPages(listPrefix: string): AsyncIterable<ObjectInfo[]> {
    let pageToken: string | undefined
    do {
      const [files, next] = await this.deadline(undefined, () =>
        this.bucket.getFiles({
          prefix: listPrefix,
          maxResults: PAGE_SIZE,
          autoPaginate: false,
          ...(pageToken === undefined ? {} : { pageToken }),
        }),
      )
      const page = files.map((file) => objectInfo(file.name, file.metadata))
      if (page.length > 0) yield page
      pageToken = nextPageToken(next)
      this.assertOpen()
    } while (pageToken !== undefined)
  }

  /** Deletes `objects`, a few at a time (the client library has no batch delete). */
  private async deleteAll(objects: readonly ObjectInfo[]): Promise<void> {
    await mapConcurrent(objects, this.options.concurrency, (object) =>
      this.deadline(undefined, async () => {
        try {
          await this.bucket.file(object.name).delete()
        } catch (error) {
          if (!isNotFound(error)) throw error
        }
      }),
    )
  }
}

function objectInfo(name: string, metadata: FileMetadata): ObjectInfo {
  const fields: Record<string, string> = {}
  for (const [field, value] of Object.entries(metadata.metadata ?? {})) {
    if (value !== null && value !== undefined) fields[field] = String(value)
  }
  return {
    name,
    generation: metadata.generation,
    expiresAt: parseExpiry(fields[META.expiresAt]),
    fields,
  }
}

function nextPageToken(next: unknown): string | undefined {
  if (typeof next !== 'object' || next === null || !('pageToken' in next)) return undefined
  return typeof next.pageToken === 'string' && next.pageToken !== '' ? next.pageToken : undefined
}

function assertValidPrefix(prefix: unknown): asserts prefix is string {
  if (typeof prefix !== 'string') {
    throw new InvalidKeyError(`prefix must be a string, got ${typeof prefix}`)
  }
  if (!isWellFormedUnicode(prefix)) {
    throw new InvalidKeyError(`prefix "${prefix}" is not well-formed Unicode (lone surrogate)`)
  }
}
