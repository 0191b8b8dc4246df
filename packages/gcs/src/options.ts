import type { Storage, StorageOptions } from '@google-cloud/storage'
import { InvalidOptionError } from '@stack/core'
import {
  OBJECT_STORE_OPTIONS,
  type ObjectStoreOptions,
  type OptionNames,
  type ResolvedObjectStoreOptions,
  resolveObjectStoreOptions,
} from '@stack/core/store-kit'

/** Options of {@link gcsStore}. */
export interface GcsStoreOptions extends ObjectStoreOptions {
  /** A `Storage` client you own. Mutually exclusive with `storageOptions`. */
  readonly storage?: Storage | undefined
  /**
   * Options for a `Storage` client the store creates (credentials, `projectId`,
   * `apiEndpoint` for an emulator...). Unless given here, its per-request `timeout` is the
   * store's `timeout` and its `retryOptions` allow one retry within that time.
   */
  readonly storageOptions?: StorageOptions | undefined
  /**
   * Whether the server honours `ifGenerationMatch` preconditions (Cloud Storage does).
   * `true` makes `add` atomic; `false` makes it a check-then-write that concurrent callers
   * can both win. Default `true`.
   */
  readonly conditionalWrites?: boolean | undefined
  /** Largest value accepted, in bytes. Default: no limit of the store's own. */
  readonly maxValueBytes?: number | undefined
}

const GCS_STORE_OPTIONS: OptionNames<GcsStoreOptions> = {
  ...OBJECT_STORE_OPTIONS,
  storage: true,
  storageOptions: true,
}

/** Validates `options`, throwing `InvalidOptionError` naming the first bad one. */
export function resolveOptions(options: GcsStoreOptions): ResolvedObjectStoreOptions {
  const resolved = resolveObjectStoreOptions(options, {
    factory: 'gcsStore',
    known: GCS_STORE_OPTIONS,
  })
  if (options.storage !== undefined && options.storageOptions !== undefined) {
    throw new InvalidOptionError('storage', 'pass either storage or storageOptions, not both')
  }
  return resolved
}
