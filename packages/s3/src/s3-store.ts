import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3'
import {
  ClosedError,
  InvalidKeyError,
  InvalidOptionError,
  InvalidValueError,
  type RemoteStore,
  STORE_CONTRACT_VERSION,
  type StoreCapabilities,
  StoreUnavailableError,
  ValueTooLargeError,
} from '@stack/core'
import { mapConcurrent } from './concurrency.js'
import { withDeadline } from './deadline.js'
import { assertValidKey, isWellFormedUnicode, KeyCodec } from './key-codec.js'
import { formatExpiry, isExpired, META, parseExpiry } from './metadata.js'
import { contentHash, packBody, readKeyFrame, unpackBody } from './object-body.js'
import { type ResolvedOptions, resolveOptions, type S3StoreOptions } from './options.js'
import { isConditionFailed, isNotFound } from './s3-errors.js'

const STORE_NAME = 's3'
/** S3's page size for listings and its limit for one DeleteObjects call. */
const PAGE_SIZE = 1000
/** Rounds of "conditional PUT, inspect the winner" an `add` tries before giving up. */
const ADD_ATTEMPTS = 3

/** What a HEAD tells about an object. */
interface ObjectHead {
  readonly expiresAt: number
  readonly etag: string | undefined
  readonly metadata: Readonly<Record<string, string>>
}

/**
 * Creates a {@link RemoteStore} on an S3 bucket (AWS S3 or an S3-compatible server).
 *
 * Each entry is one object. Its expiry is the user-metadata field `x-amz-meta-expires-at`
 * (epoch ms), checked on every read, so an expired object is a miss at once; deleting it
 * physically is the job of a bucket lifecycle rule (see the README). Keys are
 * percent-encoded into object names (hashed when too long for S3's 1,024 bytes), so any
 * string is a valid key and `clear(prefix)` stays a prefix listing.
 *
 * @example
 * ```ts
 * import { createCache, memory } from '@stack/core'
 * import { s3Store } from '@stack/s3'
 *
 * const cache = createCache({
 *   tiers: [memory(), s3Store({ bucket: 'my-cache', prefix: 'reports/', compression: 'gzip' })],
 *   ttl: '5m',
 * })
 * ```
 */
export function s3Store(options: S3StoreOptions): RemoteStore {
  const resolved = resolveOptions(options)
  const codec = new KeyCodec(resolved.prefix)
  const ownsClient = options.client === undefined
  const client = options.client ?? new S3Client(options.clientOptions ?? {})
  return new S3Store(client, ownsClient, resolved, codec)
}

class S3Store implements RemoteStore {
  readonly name = STORE_NAME
  readonly contractVersion = STORE_CONTRACT_VERSION
  readonly capabilities: StoreCapabilities
  private closed = false

  constructor(
    private readonly client: S3Client,
    private readonly ownsClient: boolean,
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
    return this.deadline(key, (signal) => this.read(key, signal))
  }

  async getMany(keys: readonly string[]): Promise<(Uint8Array | undefined)[]> {
    this.assertOpen()
    for (const key of keys) assertValidKey(key)
    return mapConcurrent(keys, this.options.concurrency, (key) =>
      this.deadline(key, (signal) => this.read(key, signal)),
    )
  }

  async set(key: string, value: Uint8Array, expiresAt: number): Promise<void> {
    this.assertOpen()
    this.assertWrite(key, value, expiresAt)
    await this.deadline(key, async (signal) => {
      if (isExpired(expiresAt)) {
        await this.remove(key, signal)
        return
      }
      const sha256 = this.options.dedupeWrites ? contentHash(value) : undefined
      if (sha256 !== undefined && (await this.isUnchanged(key, sha256, expiresAt, signal))) return
      await this.write(key, value, expiresAt, sha256, {}, signal)
    })
  }

  async add(key: string, value: Uint8Array, expiresAt: number): Promise<boolean> {
    this.assertOpen()
    this.assertWrite(key, value, expiresAt)
    return this.deadline(key, async (signal) => {
      if (isExpired(expiresAt)) return !(await this.isLive(key, signal))
      if (!this.options.conditionalWrites) {
        if (await this.isLive(key, signal)) return false
        await this.write(key, value, expiresAt, undefined, {}, signal)
        return true
      }
      return this.addConditionally(key, value, expiresAt, signal)
    })
  }

  async delete(key: string): Promise<boolean> {
    this.assertOpen()
    assertValidKey(key)
    return this.deadline(key, (signal) => this.remove(key, signal))
  }

  async clear(prefix: string): Promise<void> {
    this.assertOpen()
    assertValidPrefix(prefix)
    const listing = this.codec.listing(prefix)
    for await (const page of this.listPages(listing.exact)) {
      await this.deleteBatch(page.filter((name) => this.codec.parse(name) !== undefined))
    }
    if (listing.hashedCandidates === undefined) return
    for await (const page of this.listPages(listing.hashedCandidates)) {
      const owners = await mapConcurrent(page, this.options.concurrency, (name) =>
        this.deadline(undefined, (signal) => this.originalKey(name, signal)),
      )
      await this.deleteBatch(page.filter((_, index) => owners[index]?.key.startsWith(prefix)))
    }
  }

  async *keys(prefix: string): AsyncIterable<string> {
    this.assertOpen()
    assertValidPrefix(prefix)
    const listing = this.codec.listing(prefix)
    const listings = [listing.exact, listing.hashedCandidates]
    for (const listPrefix of listings) {
      if (listPrefix === undefined) continue
      for await (const page of this.listPages(listPrefix)) {
        const owners = await mapConcurrent(page, this.options.concurrency, (name) =>
          this.deadline(undefined, (signal) => this.originalKey(name, signal)),
        )
        for (const owner of owners) {
          if (owner?.key.startsWith(prefix) && !isExpired(owner.expiresAt)) yield owner.key
        }
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.ownsClient) this.client.destroy()
  }

  private assertOpen(): void {
    if (this.closed) throw new ClosedError('s3 store')
  }

  private assertWrite(key: string, value: Uint8Array, expiresAt: number): void {
    assertValidKey(key)
    if (!(value instanceof Uint8Array)) {
      throw new InvalidValueError(`value for key "${key}" must be a Uint8Array`, key)
    }
    if (typeof expiresAt !== 'number' || Number.isNaN(expiresAt)) {
      throw new InvalidOptionError('expiresAt', `expiresAt for key "${key}" must be epoch ms`)
    }
    if (value.byteLength > this.options.maxValueBytes) {
      throw new ValueTooLargeError(key, value.byteLength, this.options.maxValueBytes)
    }
  }

  private deadline<T>(key: string | undefined, operation: (signal: AbortSignal) => Promise<T>) {
    return withDeadline(STORE_NAME, this.options.timeoutMs, key, operation)
  }

  private async read(key: string, signal: AbortSignal): Promise<Uint8Array | undefined> {
    const name = this.codec.objectKey(key).name
    let response: GetObjectCommandOutput
    try {
      response = await this.client.send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: name }),
        { abortSignal: signal },
      )
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
    const metadata = response.Metadata ?? {}
    if (isExpired(parseExpiry(metadata[META.expiresAt]))) {
      discardBody(response)
      if (this.options.deleteExpiredOnRead) await this.deleteExpired(name, response.ETag, signal)
      return undefined
    }
    const body = (await response.Body?.transformToByteArray()) ?? new Uint8Array()
    return unpackBody(key, body, metadata)
  }

  /** Best effort: `If-Match` keeps a newer write safe where the server supports it. */
  private async deleteExpired(name: string, etag: string | undefined, signal: AbortSignal) {
    try {
      await this.client.send(
        new DeleteObjectCommand({ Bucket: this.options.bucket, Key: name, IfMatch: etag }),
        { abortSignal: signal },
      )
    } catch {
      // The entry is already a miss; the lifecycle rule removes it eventually.
    }
  }

  private async head(name: string, signal: AbortSignal): Promise<ObjectHead | undefined> {
    let response: HeadObjectCommandOutput
    try {
      response = await this.client.send(
        new HeadObjectCommand({ Bucket: this.options.bucket, Key: name }),
        { abortSignal: signal },
      )
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
    const metadata = response.Metadata ?? {}
    return { expiresAt: parseExpiry(metadata[META.expiresAt]), etag: response.ETag, metadata }
  }

  private async isLive(key: string, signal: AbortSignal): Promise<boolean> {
    const head = await this.head(this.codec.objectKey(key).name, signal)
    return head !== undefined && !isExpired(head.expiresAt)
  }

  private async isUnchanged(key: string, sha256: string, expiresAt: number, signal: AbortSignal) {
    const head = await this.head(this.codec.objectKey(key).name, signal)
    return (
      head !== undefined &&
      head.metadata[META.sha256] === sha256 &&
      head.metadata[META.expiresAt] === formatExpiry(expiresAt)
    )
  }

  private async write(
    key: string,
    value: Uint8Array,
    expiresAt: number,
    sha256: string | undefined,
    conditions: { readonly IfNoneMatch?: string; readonly IfMatch?: string },
    signal: AbortSignal,
  ): Promise<void> {
    const { name, hashed } = this.codec.objectKey(key)
    const fields: Record<string, string> = {}
    const expiry = formatExpiry(expiresAt)
    if (expiry !== undefined) fields[META.expiresAt] = expiry
    if (sha256 !== undefined) fields[META.sha256] = sha256
    const { body, metadata } = await packBody(key, value, hashed, this.options, fields)
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.options.bucket,
        Key: name,
        Body: body,
        ContentLength: body.byteLength,
        ContentType: 'application/octet-stream',
        Metadata: metadata,
        ...conditions,
      }),
      { abortSignal: signal },
    )
  }

  /**
   * `PUT If-None-Match: *`; when an object is there, replace it only if it is expired, and
   * only if it is still the same object (`If-Match` on its ETag).
   */
  private async addConditionally(
    key: string,
    value: Uint8Array,
    expiresAt: number,
    signal: AbortSignal,
  ): Promise<boolean> {
    for (let attempt = 0; attempt < ADD_ATTEMPTS; attempt++) {
      if (await this.tryWrite(key, value, expiresAt, { IfNoneMatch: '*' }, signal)) return true
      const head = await this.head(this.codec.objectKey(key).name, signal)
      if (head === undefined) continue // deleted since: try again
      if (!isExpired(head.expiresAt) || head.etag === undefined) return false
      if (await this.tryWrite(key, value, expiresAt, { IfMatch: head.etag }, signal)) return true
    }
    return false
  }

  /** A conditional write: `false` when its condition failed. */
  private async tryWrite(
    key: string,
    value: Uint8Array,
    expiresAt: number,
    conditions: { readonly IfNoneMatch?: string; readonly IfMatch?: string },
    signal: AbortSignal,
  ): Promise<boolean> {
    try {
      await this.write(key, value, expiresAt, undefined, conditions, signal)
      return true
    } catch (error) {
      if (isConditionFailed(error) || isNotFound(error)) return false
      throw error
    }
  }

  private async remove(key: string, signal: AbortSignal): Promise<boolean> {
    const name = this.codec.objectKey(key).name
    const head = await this.head(name, signal)
    if (head === undefined) return false
    await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: name }), {
      abortSignal: signal,
    })
    return !isExpired(head.expiresAt)
  }

  /** The key an object stores and its expiry, or `undefined` for foreign or vanished objects. */
  private async originalKey(
    name: string,
    signal: AbortSignal,
  ): Promise<{ readonly key: string; readonly expiresAt: number } | undefined> {
    const parsed = this.codec.parse(name)
    if (parsed === undefined) return undefined
    const head = await this.head(name, signal)
    if (head === undefined) return undefined
    if (parsed.kind === 'plain') return { key: parsed.key, expiresAt: head.expiresAt }
    const length = Number(head.metadata[META.keyBytes])
    if (!Number.isSafeInteger(length) || length <= 0) return undefined
    const frame = await this.readRange(name, length, signal)
    const key = frame && readKeyFrame(frame, length)
    return key === undefined ? undefined : { key, expiresAt: head.expiresAt }
  }

  private async readRange(name: string, length: number, signal: AbortSignal) {
    try {
      const response = await this.client.send(
        new GetObjectCommand({
          Bucket: this.options.bucket,
          Key: name,
          Range: `bytes=0-${length - 1}`,
        }),
        { abortSignal: signal },
      )
      return await response.Body?.transformToByteArray()
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
  }

  /** Object keys under `listPrefix`, one ListObjectsV2 page (up to 1,000) at a time. */
  private async *listPages(listPrefix: string): AsyncIterable<string[]> {
    let token: string | undefined
    do {
      const page = await this.deadline(undefined, (signal) =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.options.bucket,
            Prefix: listPrefix,
            MaxKeys: PAGE_SIZE,
            ContinuationToken: token,
          }),
          { abortSignal: signal },
        ),
      )
      const names = (page.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : []))
      if (names.length > 0) yield names
      token = page.IsTruncated ? page.NextContinuationToken : undefined
      this.assertOpen()
    } while (token !== undefined)
  }

  /** One DeleteObjects call for up to 1,000 object keys. */
  private async deleteBatch(names: readonly string[]): Promise<void> {
    if (names.length === 0) return
    const response = await this.deadline(undefined, (signal) =>
      this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.options.bucket,
          Delete: { Objects: names.map((name) => ({ Key: name })), Quiet: true },
        }),
        { abortSignal: signal },
      ),
    )
    const failure = response.Errors?.[0]
    if (failure !== undefined) {
      throw new StoreUnavailableError(
        STORE_NAME,
        `could not delete ${response.Errors?.length} objects, e.g. ${failure.Key}: ${failure.Code} ${failure.Message}`,
      )
    }
  }
}

function assertValidPrefix(prefix: unknown): asserts prefix is string {
  if (typeof prefix !== 'string') {
    throw new InvalidKeyError(`prefix must be a string, got ${typeof prefix}`)
  }
  if (!isWellFormedUnicode(prefix)) {
    throw new InvalidKeyError(`prefix "${prefix}" is not well-formed Unicode (lone surrogate)`)
  }
}

/** Releases an unread body's connection. */
function discardBody(response: GetObjectCommandOutput): void {
  const body: unknown = response.Body
  if (typeof body === 'object' && body !== null && 'destroy' in body) {
    const destroy = body.destroy
    if (typeof destroy === 'function') destroy.call(body)
  }
}
