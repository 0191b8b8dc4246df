import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3'
import { type Duration, InvalidOptionError, toMilliseconds } from '@stack/core'
import type { CompressionOption } from './compression.js'

/** Options of {@link s3Store}. */
export interface S3StoreOptions {
  /** The bucket to store objects in. It must exist. */
  readonly bucket: string
  /**
   * Object-key prefix for every entry, ending in `/` (e.g. `'cache/'`), or `''`. Give the
   * store its own bucket or prefix: `clear('')` deletes every object under it that looks
   * like one of its own. Default `''`.
   */
  readonly prefix?: string | undefined
  /** A client you own (the store never destroys it). Mutually exclusive with `clientOptions`. */
  readonly client?: S3Client | undefined
  /** Options for a client the store creates and destroys on `close()`. */
  readonly clientOptions?: S3ClientConfig | undefined
  /**
   * Deadline of each call (`get`, `set`, ...; each listing page or batch for `clear` and
   * `keys`). Past it the call rejects with `StoreUnavailableError`. Default `'10s'`.
   */
  readonly timeout?: Duration | undefined
  /** Compress values of at least `compressionThreshold` bytes. Default `'none'`. */
  readonly compression?: CompressionOption | undefined
  /** Smallest value, in bytes, that `compression` applies to. Default `1024`. */
  readonly compressionThreshold?: number | undefined
  /**
   * Before each `set`, read the object's metadata (a HEAD request) and skip the upload when
   * the stored value and expiry are the same. Default `false`.
   */
  readonly dedupeWrites?: boolean | undefined
  /**
   * Whether the server honours `If-None-Match: *` on PUT (AWS S3 does). `true` makes `add`
   * atomic; `false` makes it a check-then-write that concurrent callers can both win.
   * Default `true`.
   */
  readonly conditionalWrites?: boolean | undefined
  /** Delete an expired object when a read finds it (else leave it to lifecycle rules). Default `false`. */
  readonly deleteExpiredOnRead?: boolean | undefined
  /** Most requests in flight for `getMany`, `keys` and `clear`. Default `16`. */
  readonly concurrency?: number | undefined
  /** Largest value accepted, in bytes. Default 5 GiB, S3's limit for one PUT. */
  readonly maxValueBytes?: number | undefined
}

/** S3's limit for a single PUT. */
export const MAX_PUT_BYTES = 5 * 1024 ** 3

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
  readonly maxValueBytes: number
}

const MAX_TIMER_MS = 2 ** 31 - 1
const COMPRESSIONS: readonly CompressionOption[] = ['gzip', 'brotli', 'none']

/** Validates `options`, throwing `InvalidOptionError` naming the first bad one. */
export function resolveOptions(options: S3StoreOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', 's3Store needs an options object with a bucket')
  }
  if (typeof options.bucket !== 'string' || options.bucket.length === 0) {
    throw new InvalidOptionError('bucket', 'bucket must be a non-empty string')
  }
  if (options.client !== undefined && options.clientOptions !== undefined) {
    throw new InvalidOptionError('client', 'pass either client or clientOptions, not both')
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
    maxValueBytes: count(options.maxValueBytes, 'maxValueBytes', MAX_PUT_BYTES, 1),
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
