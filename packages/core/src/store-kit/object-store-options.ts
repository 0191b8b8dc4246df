import type { Duration } from '../duration.js'
import { InvalidOptionError } from '../errors.js'
import { COMPRESSION_OPTIONS, type CompressionOption } from './compression.js'
import { assertObjectNamePrefix } from './object-name.js'
import {
  booleanOption,
  durationOption,
  integerOption,
  type OptionNames,
  oneOfOption,
  readOptions,
} from './options.js'

/** The options every {@link ObjectStore} takes, besides its own client's. */
export interface ObjectStoreOptions {
  /** The bucket to store objects in. It must exist. */
  readonly bucket: string
  /**
   * Object-name prefix for every entry, ending in `/` (e.g. `'cache/'`), or `''`. Give the
   * store its own bucket or prefix: `clear('')` deletes every object under it that looks
   * like one of its own. Default `''`.
   */
  readonly prefix?: string | undefined
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
   * Whether the server honours conditional writes. `true` makes `add` atomic; `false` makes
   * it a check-then-write that concurrent callers can both win. Default `true`.
   */
  readonly conditionalWrites?: boolean | undefined
  /** Delete an expired object when a read finds it (else leave it to lifecycle rules). Default `false`. */
  readonly deleteExpiredOnRead?: boolean | undefined
  /** Most requests in flight for `getMany`, `keys` and `clear`. Default `16`. */
  readonly concurrency?: number | undefined
  /** Largest value accepted, in bytes. Default: the backend's own limit, if any. */
  readonly maxValueBytes?: number | undefined
}

/**
 * The names of {@link ObjectStoreOptions}. A store with options of its own spreads this
 * into its list and hands it to {@link resolveObjectStoreOptions} as `known`.
 */
export const OBJECT_STORE_OPTIONS: OptionNames<ObjectStoreOptions> = {
  bucket: true,
  prefix: true,
  timeout: true,
  compression: true,
  compressionThreshold: true,
  dedupeWrites: true,
  conditionalWrites: true,
  deleteExpiredOnRead: true,
  concurrency: true,
  maxValueBytes: true,
}

/** {@link ObjectStoreOptions} with defaults applied and ranges checked. */
export interface ResolvedObjectStoreOptions {
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

/** What {@link resolveObjectStoreOptions} needs to know of the store. */
export interface ObjectStoreDefaults {
  /** The factory's name, for the error about a missing options object, e.g. `'s3Store'`. */
  readonly factory: string
  /** Default of `maxValueBytes`: the backend's limit for one upload, if it has one. */
  readonly maxValueBytes?: number | undefined
  /**
   * Every option name the factory takes: {@link OBJECT_STORE_OPTIONS} plus its own (a
   * client, say). Any other name throws `InvalidOptionError`. Default
   * {@link OBJECT_STORE_OPTIONS}.
   */
  readonly known?: OptionNames<ObjectStoreOptions> | undefined
}

/**
 * Applies defaults to {@link ObjectStoreOptions} and checks them, throwing
 * `InvalidOptionError` naming the first bad one.
 *
 * @example
 * ```ts
 * const resolved = resolveObjectStoreOptions(options, { factory: 's3Store', maxValueBytes: 5 * 1024 ** 3 })
 * ```
 */
export function resolveObjectStoreOptions(
  options: ObjectStoreOptions,
  defaults: ObjectStoreDefaults,
): ResolvedObjectStoreOptions {
  readOptions(options, defaults.known ?? OBJECT_STORE_OPTIONS, {
    factory: defaults.factory,
    hint: `${defaults.factory}() needs an options object with a bucket`,
  })
  if (typeof options.bucket !== 'string' || options.bucket.length === 0) {
    throw new InvalidOptionError('bucket', 'bucket must be a non-empty string')
  }
  const prefix = options.prefix ?? ''
  assertObjectNamePrefix(prefix)
  return {
    bucket: options.bucket,
    prefix,
    timeoutMs: durationOption(options.timeout ?? '10s', 'timeout'),
    compression: oneOfOption(options.compression, 'compression', COMPRESSION_OPTIONS, 'none'),
    compressionThreshold: integerOption(options.compressionThreshold, 'compressionThreshold', {
      fallback: 1024,
      min: 0,
    }),
    dedupeWrites: booleanOption(options.dedupeWrites, 'dedupeWrites', false),
    conditionalWrites: booleanOption(options.conditionalWrites, 'conditionalWrites', true),
    deleteExpiredOnRead: booleanOption(options.deleteExpiredOnRead, 'deleteExpiredOnRead', false),
    concurrency: integerOption(options.concurrency, 'concurrency', { fallback: 16, min: 1 }),
    maxValueBytes: integerOption(options.maxValueBytes, 'maxValueBytes', {
      fallback: defaults.maxValueBytes,
      min: 1,
    }),
  }
}
