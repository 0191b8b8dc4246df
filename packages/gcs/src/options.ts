import type { Storage, StorageOptions } from '@google-cloud/storage'
import { type Duration, InvalidOptionError, toMilliseconds } from '@stack/core'
import type { CompressionOption } from './compression.js'

/** Options of {@link gcsStore}. */
export interface GcsStoreOptions {
  /** The bucket to store objects in. It must exist. */
  readonly bucket: string
  /**
   * Object-name prefix for every entry, ending in `/` (e.g. `'cache/'`), or `''`. Give the
   * store its own bucket or prefix: `clear('')` deletes every object under it that looks
   * like one of its own. Default `''`.
   */
  readonly prefix?: string | undefined
  /** A `Storage` client you own. Mutually exclusive with `storageOptions`. */
  readonly storage?: Storage | undefined
  /**
   * Options for a `Storage` client the store creates (credentials, `projectId`,
   * `apiEndpoint` for an emulator...). Unless given here, its per-request `timeout` is the
   * store's `timeout` and its `retryOptions` allow one retry within that time.
   */
  readonly storageOptions?: StorageOptions | undefined
  /**
   * Deadline of each call (`get`, `set`, ...; each listing page or deletion for `clear` and
   * `keys`). Past it the call rejects with `StoreUnavailableError`. Default `'10s'`.
   */
  readonly timeout?: Duration | undefined
  /** Compress values of at least `compressionThreshold` bytes. Default `'none'`. */
  readonly compression?: CompressionOption | undefined
  /** Smallest value, in bytes, that `compression` applies to. Default `1024`. */
  readonly compressionThreshold?: number | undefined
  /**
   * Before each `set`, read the object's metadata and skip the upload when the stored value
   * and expiry are the same. Default `false`.
   */
  readonly dedupeWrites?: boolean | undefined
  /**
   * Whether the server honours `ifGenerationMatch` preconditions (Cloud Storage does).
   * `true` makes `add` atomic; `false` makes it a check-then-write that concurrent callers
   * can both win. Default `true`.
   */
  readonly conditionalWrites?: boolean | undefined
  /** Delete an expired object when a read finds it (else leave it to lifecycle rules). Default `false`. */
  readonly deleteExpiredOnRead?: boolean | undefined
  /** Most requests in flight for `getMany`, `keys` and `clear`. Default `16`. */
  readonly concurrency?: number | undefined
  /** Largest value accepted, in bytes. Default: no limit of the store's own. */
  readonly maxValueBytes?: number | undefined
}

/** Options with defaults applied and ranges checked. */
export interface ResolvedOptions {
  readonly bucket: string
  readonly prefix: string
  readonly timeoutMs: number
  readonly compression: CompressionOption
  readonly compressionThreshold: number
  readonly dedupeWrites: boolean
  readonly conditionalWrites: boolean
  readonly deleteExpiredOnRead: boolean
  readonly concurrency: number
  readonly maxValueBytes: number | undefined
}

const MAX_TIMER_MS = 2 ** 31 - 1
const COMPRESSIONS: readonly CompressionOption[] = ['gzip', 'brotli', 'none']

/** Validates `options`, throwing `InvalidOptionError` naming the first bad one. */
export function resolveOptions(options: GcsStoreOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', 'gcsStore needs an options object with a bucket')
  }
  if (typeof options.bucket !== 'string' || options.bucket.length === 0) {
    throw new InvalidOptionError('bucket', 'bucket must be a non-empty string')
  }
  if (options.storage !== undefined && options.storageOptions !== undefined) {
    throw new InvalidOptionError('storage', 'pass either storage or storageOptions, not both')
  }
  const timeoutMs = toMilliseconds(options.timeout ?? '10s', 'timeout')
  if (timeoutMs <= 0 || timeoutMs > MAX_TIMER_MS) {
    throw new InvalidOptionError('timeout', `timeout must be > 0 and <= ${MAX_TIMER_MS} ms`)
  }
  const compression = options.compression ?? 'none'
  if (!COMPRESSIONS.includes(compression)) {
    throw new InvalidOptionError(
      'compression',
      `compression must be one of ${COMPRESSIONS.join(', ')}`,
    )
  }
  return {
    bucket: options.bucket,
    prefix: options.prefix ?? '',
    timeoutMs,
    compression,
    compressionThreshold: count(options.compressionThreshold, 'compressionThreshold', 1024, 0),
    dedupeWrites: flag(options.dedupeWrites, 'dedupeWrites', false),
    conditionalWrites: flag(options.conditionalWrites, 'conditionalWrites', true),
    deleteExpiredOnRead: flag(options.deleteExpiredOnRead, 'deleteExpiredOnRead', false),
    concurrency: count(options.concurrency, 'concurrency', 16, 1),
    maxValueBytes:
      options.maxValueBytes === undefined
        ? undefined
        : count(options.maxValueBytes, 'maxValueBytes', 0, 1),
  }
}

function count(value: number | undefined, option: string, fallback: number, min: number): number {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || value < min) {
    throw new InvalidOptionError(option, `${option} must be an integer >= ${min}, got ${value}`)
  }
  return value
}

function flag(value: boolean | undefined, option: string, fallback: boolean): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') {
    throw new InvalidOptionError(option, `${option} must be a boolean, got ${typeof value}`)
  }
  return value
}
