import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3'
import { InvalidOptionError } from '@stack/core'
import {
  OBJECT_STORE_OPTIONS,
  type ObjectStoreOptions,
  type OptionNames,
  type ResolvedObjectStoreOptions,
  resolveObjectStoreOptions,
} from '@stack/core/store-kit'

/** Options of {@link s3Store}. */
export interface S3StoreOptions extends ObjectStoreOptions {
  /** A client you own (the store never destroys it). Mutually exclusive with `clientOptions`. */
  readonly client?: S3Client | undefined
  /** Options for a client the store creates and destroys on `close()`. */
  readonly clientOptions?: S3ClientConfig | undefined
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
  /** Largest value accepted, in bytes. Default 5 GiB, S3's limit for one PUT. */
  readonly maxValueBytes?: number | undefined
}

/** S3's limit for a single PUT. */
export const MAX_PUT_BYTES = 5 * 1024 ** 3

const S3_STORE_OPTIONS: OptionNames<S3StoreOptions> = {
  ...OBJECT_STORE_OPTIONS,
  client: true,
  clientOptions: true,
}

/** Validates `options`, throwing `InvalidOptionError` naming the first bad one. */
export function resolveOptions(options: S3StoreOptions): ResolvedObjectStoreOptions {
  const resolved = resolveObjectStoreOptions(options, {
    factory: 's3Store',
    maxValueBytes: MAX_PUT_BYTES,
    known: S3_STORE_OPTIONS,
  })
  if (options.client !== undefined && options.clientOptions !== undefined) {
    throw new InvalidOptionError('client', 'pass either client or clientOptions, not both')
  }
  return resolved
}
