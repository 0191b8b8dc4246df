import { resolve } from 'node:path'
import { type Duration, InvalidOptionError } from '@stack/core'
import {
  booleanOption,
  durationOption,
  integerOption,
  type OptionNames,
  readOptions,
} from '@stack/core/store-kit'

/** Options of {@link fileStore}. */
export interface FileStoreOptions {
  /**
   * The directory holding the cache, created when missing. A relative path is resolved
   * against the working directory once, when the store is created. Give each cache its
   * own directory: `clear('')` removes every entry file in it.
   */
  readonly directory: string
  /**
   * Flush each file, and its directory after the rename, to the disk before the write
   * resolves, so entries survive a power loss. Costs a few milliseconds per write.
   * Default `false`: entries survive a process crash, not a power loss.
   */
  readonly fsync?: boolean | undefined
  /**
   * Upper bound of the bytes of entry files (28-byte header, key and value) in the
   * directory; past it the oldest writes are removed first. Also the largest value
   * accepted; the newest entry is kept even when its file alone is over the bound.
   * File-system block rounding comes on top. Default: no bound.
   */
  readonly maxBytes?: number | undefined
  /** Upper bound of the number of entries; the oldest writes are removed first. Default: no bound. */
  readonly maxEntries?: number | undefined
  /**
   * Run {@link FileStore.purgeExpired} this often in the background (an unref'd timer
   * that never keeps the process alive), e.g. `'10m'`. Default: never; expired entries
   * are then removed when read, or by calling `purgeExpired()` yourself.
   */
  readonly purgeInterval?: Duration | undefined
  /**
   * Skip re-writing unchanged values: an envelope is stored as a small entry file (its
   * header and the SHA-256 of its payload) plus a payload file beside it, and a `set` whose
   * payload file is already there writes only the small file. Costs a SHA-256 of each value
   * and a lock file per write; replaced payload files are removed by `delete`, `clear` and
   * purge walks. Not with `maxBytes`/`maxEntries`. Default `false`.
   */
  readonly dedupeWrites?: boolean | undefined
}

/** Options after validation. */
export interface ResolvedFileOptions {
  readonly directory: string
  readonly fsync: boolean
  readonly maxBytes: number
  readonly maxEntries: number
  readonly purgeIntervalMs: number | undefined
  readonly dedupeWrites: boolean
}

const FILE_STORE_OPTIONS: OptionNames<FileStoreOptions> = {
  directory: true,
  fsync: true,
  maxBytes: true,
  maxEntries: true,
  purgeInterval: true,
  dedupeWrites: true,
}

/** Validates {@link FileStoreOptions}; bad values throw `InvalidOptionError` naming the option. */
export function resolveOptions(options: FileStoreOptions): ResolvedFileOptions {
  // A lifetime cap is the cache's business, per tier; say where it lives.
  if (typeof options === 'object' && options !== null && 'maxTtl' in options) {
    throw new InvalidOptionError(
      'maxTtl',
      "fileStore() has no maxTtl: cap the tier's lifetimes in the cache's tier list instead, e.g. createCache({ tiers: [memory(), { store: fileStore({ directory }), maxTtl: '5m' }] })",
    )
  }
  readOptions(options, FILE_STORE_OPTIONS, {
    factory: 'fileStore',
    hint: 'fileStore() needs an options object with a directory',
  })
  const { directory } = options
  if (typeof directory !== 'string' || directory.length === 0) {
    throw new InvalidOptionError('directory', 'directory must be a non-empty path string')
  }
  const limit = { fallback: Number.POSITIVE_INFINITY, min: 1 }
  const resolved = {
    directory: resolve(directory),
    fsync: booleanOption(options.fsync, 'fsync', false),
    maxBytes: integerOption(options.maxBytes, 'maxBytes', limit),
    maxEntries: integerOption(options.maxEntries, 'maxEntries', limit),
    purgeIntervalMs: durationOption(options.purgeInterval, 'purgeInterval'),
    dedupeWrites: booleanOption(options.dedupeWrites, 'dedupeWrites', false),
  }
  const bounded = Number.isFinite(resolved.maxBytes) || Number.isFinite(resolved.maxEntries)
  if (resolved.dedupeWrites && bounded) {
    // The size ledger counts entry files; shared payload files would escape its bounds.
    throw new InvalidOptionError(
      'dedupeWrites',
      'dedupeWrites cannot be combined with maxBytes or maxEntries',
    )
  }
  return resolved
}
