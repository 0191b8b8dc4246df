import type { Bucket, FileMetadata } from '@google-cloud/storage'
import { Storage } from '@google-cloud/storage'
import type { RemoteStore } from '@stack/core'
import {
  isExpired,
  type ListedObject,
  mapConcurrent,
  type ObjectHead,
  ObjectStore,
  objectHead,
  type PackedObjectBody,
  type ResolvedObjectStoreOptions,
  type StoredObject,
  type WriteCondition,
} from '@stack/core/store-kit'
import { isConditionFailed, isNotFound } from './gcs-errors.js'
import { type GcsStoreOptions, resolveOptions } from './options.js'

/** Objects per listing page. */
const PAGE_SIZE = 1000
/** Reads retried when the object is replaced between its metadata and its bytes. */
const READ_ATTEMPTS = 3
/** `customTime` must be an RFC 3339 date; later expiries are left out of it. */
const LAST_CUSTOM_TIME = Date.UTC(9999, 11, 31)

/** An object's generation, as the client library reports it. */
type Generation = string | number

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
  const storage =
    options.storage ??
    new Storage({
      // A cache tier should fail fast: one retry, none after the call's deadline.
      timeout: resolved.timeoutMs,
      retryOptions: { maxRetries: 1, totalTimeout: Math.ceil(resolved.timeoutMs / 1000) },
      ...options.storageOptions,
    })
  return new GcsStore(storage.bucket(resolved.bucket), resolved)
}

/**
 * The Cloud Storage object operations under the shared {@link ObjectStore}; versions are
 * generations. The client library takes no abort signal: the deadline alone ends a call.
 */
class GcsStore extends ObjectStore<Generation> {
  readonly name = 'gcs'

  constructor(
    private readonly bucket: Bucket,
    options: ResolvedObjectStoreOptions,
  ) {
    super(options)
  }

  /**
   * Metadata first (an expired entry costs no download), then the bytes of exactly that
   * generation; if it was replaced in between, start over.
   */
  protected async getObject(name: string): Promise<StoredObject<Generation> | undefined> {
    for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      const head = await this.headObject(name)
      if (head === undefined) return undefined
      if (isExpired(head.expiresAt)) return { head, body: undefined }
      const generation = head.version === undefined ? {} : { generation: head.version }
      try {
        const [body] = await this.bucket.file(name, generation).download()
        return { head, body }
      } catch (error) {
        if (!isNotFound(error)) throw error
      }
    }
    return undefined
  }

  protected async headObject(name: string): Promise<ObjectHead<Generation> | undefined> {
    let metadata: FileMetadata
    try {
      ;[metadata] = await this.bucket.file(name).getMetadata()
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
    return headOf(metadata)
  }

  /**
   * A single-request upload; `ifGenerationMatch: 0` for "only if absent", the generation to
   * replace. The expiry also goes to `customTime`, for lifecycle rules.
   */
  protected async putObject(
    name: string,
    { body, metadata }: PackedObjectBody,
    expiresAt: number,
    condition: WriteCondition<Generation> | undefined,
  ): Promise<boolean> {
    const customTime =
      expiresAt <= LAST_CUSTOM_TIME ? { customTime: new Date(expiresAt).toISOString() } : {}
    try {
      await this.bucket
        .file(name)
        .save(Buffer.from(body.buffer, body.byteOffset, body.byteLength), {
          resumable: false,
          gzip: false,
          contentType: 'application/octet-stream',
          metadata: { ...customTime, metadata },
          ...(condition === undefined ? {} : { preconditionOpts: preconditionOf(condition) }),
        })
      return true
    } catch (error) {
      if (condition !== undefined && isConditionFailed(error)) return false
      throw error
    }
  }

  /**
   * A metadata-only PATCH, on the condition that the object is still the generation whose
   * payload was compared (the emulator ignores preconditions). Custom metadata is merged by
   * Cloud Storage, so fields the rewrite drops are sent as `null`. `customTime` can only
   * move later: an earlier expiry is refused here and uploaded in full instead.
   */
  protected override async updateMetadata(
    name: string,
    metadata: Record<string, string>,
    expiresAt: number,
    previous: ObjectHead<Generation>,
  ): Promise<boolean> {
    if (previous.version === undefined || expiresAt < previous.expiresAt) return false
    const fields: Record<string, string | null> = { ...metadata }
    for (const field of Object.keys(previous.metadata)) fields[field] ??= null
    const customTime =
      expiresAt <= LAST_CUSTOM_TIME ? { customTime: new Date(expiresAt).toISOString() } : {}
    try {
      await this.bucket
        .file(name)
        .setMetadata({ ...customTime, metadata: fields }, { ifGenerationMatch: previous.version })
      return true
    } catch (error) {
      if (isConditionFailed(error) || isNotFound(error)) return false
      throw error
    }
  }

  protected async deleteObject(name: string, version: Generation | undefined): Promise<boolean> {
    try {
      await this.bucket
        .file(name)
        .delete(version === undefined ? {} : { ifGenerationMatch: version })
      return true
    } catch (error) {
      if (isNotFound(error)) return false // deleted concurrently
      throw error
    }
  }

  protected async readFirstBytes(name: string, length: number) {
    try {
      const [frame] = await this.bucket.file(name).download({ start: 0, end: length - 1 })
      return frame
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
  }

  /** Objects with their metadata, one page (up to 1,000) at a time. */
  protected async *listObjects(listPrefix: string): AsyncIterable<ListedObject<Generation>[]> {
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
      yield files.map((file) => ({ name: file.name, head: headOf(file.metadata) }))
      pageToken = nextPageToken(next)
    } while (pageToken !== undefined)
  }

  /** Deletes a few at a time (the client library has no batch delete). */
  protected async deleteObjects(names: readonly string[]): Promise<void> {
    await mapConcurrent(names, this.options.concurrency, (name) =>
      this.deadline(undefined, () => this.deleteObject(name, undefined)),
    )
  }

  protected async closeClient(): Promise<void> {
    // `Storage` has no close(); in-flight calls settle on their own.
  }
}

function headOf(metadata: FileMetadata): ObjectHead<Generation> {
  const fields: Record<string, string> = {}
  for (const [field, value] of Object.entries(metadata.metadata ?? {})) {
    if (value !== null && value !== undefined) fields[field] = String(value)
  }
  return objectHead(fields, metadata.generation)
}

function preconditionOf(condition: WriteCondition<Generation>) {
  return { ifGenerationMatch: 'ifAbsent' in condition ? 0 : condition.ifVersion }
}

function nextPageToken(next: unknown): string | undefined {
  if (typeof next !== 'object' || next === null || !('pageToken' in next)) return undefined
  return typeof next.pageToken === 'string' && next.pageToken !== '' ? next.pageToken : undefined
}
