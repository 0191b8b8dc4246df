import {
  CopyObjectCommand,
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
import { type RemoteStore, StoreUnavailableError } from '@stack/core'
import {
  isExpired,
  type ListedObject,
  type ObjectHead,
  ObjectStore,
  objectHead,
  type PackedObjectBody,
  type ResolvedObjectStoreOptions,
  type StoredObject,
  type WriteCondition,
} from '@stack/core/store-kit'
import { resolveOptions, type S3StoreOptions } from './options.js'
import { isConditionFailed, isNotFound } from './s3-errors.js'

/** S3's page size for listings and its limit for one DeleteObjects call. */
const PAGE_SIZE = 1000

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
  const ownsClient = options.client === undefined
  const client = options.client ?? new S3Client(options.clientOptions ?? {})
  return new S3Store(client, ownsClient, resolved)
}

/** The S3 object operations under the shared {@link ObjectStore}; versions are ETags. */
class S3Store extends ObjectStore<string> {
  readonly name = 's3'

  constructor(
    private readonly client: S3Client,
    private readonly ownsClient: boolean,
    options: ResolvedObjectStoreOptions,
  ) {
    super(options)
  }

  /** One GET: metadata and body come together; an expired object's body is left unread. */
  protected async getObject(
    name: string,
    signal: AbortSignal,
  ): Promise<StoredObject<string> | undefined> {
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
    const head = headOf(response)
    if (isExpired(head.expiresAt)) {
      discardBody(response)
      return { head, body: undefined }
    }
    return { head, body: (await response.Body?.transformToByteArray()) ?? new Uint8Array() }
  }

  protected async headObject(
    name: string,
    signal: AbortSignal,
  ): Promise<ObjectHead<string> | undefined> {
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
    return headOf(response)
  }

  /** A PUT; `If-None-Match: *` for "only if absent", `If-Match` on the ETag to replace. */
  protected async putObject(
    name: string,
    packed: PackedObjectBody,
    _expiresAt: number,
    condition: WriteCondition<string> | undefined,
    signal: AbortSignal,
  ): Promise<boolean> {
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.options.bucket,
          Key: name,
          Body: packed.body,
          ContentLength: packed.body.byteLength,
          ContentType: 'application/octet-stream',
          Metadata: packed.metadata,
          ...conditionHeaders(condition),
        }),
        { abortSignal: signal },
      )
      return true
    } catch (error) {
      if (condition !== undefined && (isConditionFailed(error) || isNotFound(error))) return false
      throw error
    }
  }

  /**
   * A copy of the object onto itself with `MetadataDirective: REPLACE`: S3 keeps the bytes
   * and swaps the metadata, and uploads nothing. `CopySourceIfMatch` on the ETag makes it
   * apply only to the object whose payload was compared (s3rver ignores that header).
   */
  protected override async updateMetadata(
    name: string,
    metadata: Record<string, string>,
    _expiresAt: number,
    previous: ObjectHead<string>,
    signal: AbortSignal,
  ): Promise<boolean> {
    try {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.options.bucket,
          Key: name,
          CopySource: `${this.options.bucket}/${name.split('/').map(encodeURIComponent).join('/')}`,
          CopySourceIfMatch: previous.version,
          MetadataDirective: 'REPLACE',
          ContentType: 'application/octet-stream',
          Metadata: metadata,
        }),
        { abortSignal: signal },
      )
      return true
    } catch (error) {
      if (isConditionFailed(error) || isNotFound(error)) return false
      throw error
    }
  }

  /** S3 answers a DELETE of a missing object like any other, so this is never `false`. */
  protected async deleteObject(
    name: string,
    version: string | undefined,
    signal: AbortSignal,
  ): Promise<boolean> {
    await this.client.send(
      new DeleteObjectCommand({ Bucket: this.options.bucket, Key: name, IfMatch: version }),
      { abortSignal: signal },
    )
    return true
  }

  protected async readFirstBytes(name: string, length: number, signal: AbortSignal) {
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

  /** One ListObjectsV2 page (up to 1,000 names, no metadata) at a time. */
  protected async *listObjects(listPrefix: string): AsyncIterable<ListedObject<string>[]> {
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
      yield (page.Contents ?? []).flatMap((object) => (object.Key ? [{ name: object.Key }] : []))
      token = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (token !== undefined)
  }

  /** One DeleteObjects call (a listing page holds at most its limit of 1,000). */
  protected async deleteObjects(names: readonly string[]): Promise<void> {
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
        this.name,
        `could not delete ${response.Errors?.length} objects, e.g. ${failure.Key}: ${failure.Code} ${failure.Message}`,
      )
    }
  }

  protected async closeClient(): Promise<void> {
    if (this.ownsClient) this.client.destroy()
  }
}

function headOf(response: {
  readonly Metadata?: Record<string, string> | undefined
  readonly ETag?: string | undefined
}): ObjectHead<string> {
  return objectHead(response.Metadata ?? {}, response.ETag)
}

function conditionHeaders(condition: WriteCondition<string> | undefined) {
  if (condition === undefined) return {}
  return 'ifAbsent' in condition ? { IfNoneMatch: '*' } : { IfMatch: condition.ifVersion }
}

/** Releases an unread body's connection. */
function discardBody(response: GetObjectCommandOutput): void {
  const body: unknown = response.Body
  if (typeof body === 'object' && body !== null && 'destroy' in body) {
    const destroy = body.destroy
    if (typeof destroy === 'function') destroy.call(body)
  }
}
