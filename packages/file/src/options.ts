import { resolve } from 'node:path'
import { type Duration, InvalidOptionError, toMilliseconds } from '@stack/core'

/** The longest delay `setInterval` honours. */
const MAX_TIMER_MS = 2 ** 31 - 1

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
}

/** Options after validation. */
export interface ResolvedFileOptions {
  readonly directory: string
  readonly fsync: boolean
  readonly maxBytes: number
  readonly maxEntries: number
  readonly purgeIntervalMs: number | undefined
}

/** Validates {@link FileStoreOptions}; bad values throw `InvalidOptionError` naming the option. */
export function resolveOptions(options: FileStoreOptions): ResolvedFileOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', 'fileStore() needs an options object with a directory')
  }
  const { directory, fsync = false } = options
  if (typeof directory !== 'string' || directory.length === 0) {
    throw new InvalidOptionError('directory', 'directory must be a non-empty path string')
  }
  if (typeof fsync !== 'boolean') {
    throw new InvalidOptionError('fsync', `fsync must be a boolean, got ${String(fsync)}`)
  }
  return {
    directory: resolve(directory),
    fsync,
    maxBytes: positiveLimit(options.maxBytes, 'maxBytes'),
    maxEntries: positiveLimit(options.maxEntries, 'maxEntries'),
    purgeIntervalMs: purgeInterval(options.purgeInterval),
  }
}

function positiveLimit(value: number | undefined, option: string): number {
  if (value === undefined) return Number.POSITIVE_INFINITY
  if (typeof value !== 'number' || !(value >= 1) || !Number.isInteger(value)) {
    throw new InvalidOptionError(
      option,
      `${option} must be a positive integer, got ${String(value)}`,
    )
  }
  return value
}

function purgeInterval(value: Duration | undefined): number | undefined {
  if (value === undefined) return undefined
  const ms = toMilliseconds(value, 'purgeInterval')
  if (ms < 1 || ms > MAX_TIMER_MS) {
    throw new InvalidOptionError(
      'purgeInterval',
      `purgeInterval must be between 1 ms and ${MAX_TIMER_MS} ms (about 24 days), got ${String(value)}`,
    )
  }
  return ms
}
