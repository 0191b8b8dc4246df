import { resolve } from 'node:path'
import {
  type CacheEntry,
  type Duration,
  type EvictionReason,
  InvalidOptionError,
  type Serializer,
  structuredSerializer,
  toMilliseconds,
} from '@stack/core'
import { durationOption, integerOption, type OptionNames, readOptions } from '@stack/core/store-kit'

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

/** Called once per entry leaving a {@link SqliteTier}; see {@link EvictionReason}. */
export type SqliteTierEvictListener = (
  key: string,
  value: CacheEntry,
  reason: EvictionReason,
) => void

/** Options of {@link sqliteTier}. */
export interface SqliteTierOptions {
  /**
   * The database file, created when missing (its directory must exist), or `':memory:'`
   * for a private in-memory database (nothing persists). A relative path is resolved
   * against the working directory once, when the tier is created.
   */
  readonly path: string
  /**
   * The table holding the entries, created when missing: a plain SQL identifier (letters,
   * digits, `_`, at most 63 characters, not starting with `sqlite_`). Default
   * `'stack_tier'`. It is not a `sqliteStore` table: give each its own.
   */
  readonly table?: string | undefined
  /** Name in stats, traces and errors. Default `'sqlite'`. */
  readonly name?: string | undefined
  /** Most entries the table holds; a positive integer. Default `10_000`. LRU eviction. */
  readonly maxEntries?: number | undefined
  /** Lifetime of entries written without `expiresAt`. Default: they never expire. */
  readonly ttl?: Duration | undefined
  /** Longest lifetime any entry gets: `set()` clamps `expiresAt` to now + `maxTtl`. */
  readonly maxTtl?: Duration | undefined
  /** Encodes values into rows. Default `structuredSerializer`, as `createCache`'s. */
  readonly serializer?: Serializer | undefined
  /** Values that serialize to at least this many bytes are deflated. Default: never. */
  readonly compressThreshold?: number | undefined
  /** Largest serialized value in bytes; a larger one is refused at `set`. Default 16 MiB. */
  readonly maxValueBytes?: number | undefined
  /**
   * How long a write waits for another process's write lock before throwing
   * `StoreUnavailableError`, e.g. `'2s'`. The wait blocks the event loop. Default 5 s.
   */
  readonly busyTimeout?: Duration | undefined
  /** Called for every entry this handle removes; see {@link EvictionReason}. */
  readonly onEvict?: SqliteTierEvictListener | undefined
  /**
   * Called with each error a read turned into a miss (a corrupt row, a database that
   * cannot be read); they are also counted in `stats().errors`. Default: counted only.
   */
  readonly onError?: ((error: Error) => void) | undefined
  /** Current time in epoch ms. Default `Date.now`. */
  readonly clock?: (() => number) | undefined
}

/** {@link SqliteTierOptions} checked, with defaults applied. */
export interface ResolvedSqliteTierOptions {
  readonly path: string
  readonly table: string
  readonly name: string
  readonly maxEntries: number
  readonly ttl: number
  readonly maxTtl: number
  readonly serializer: Serializer
  readonly compressThreshold: number
  readonly maxValueBytes: number | undefined
  readonly busyTimeoutMs: number
  readonly onEvict: SqliteTierEvictListener | undefined
  readonly onError: ((error: Error) => void) | undefined
  readonly clock: () => number
}

const SQLITE_TIER_OPTIONS: OptionNames<SqliteTierOptions> = {
  path: true,
  table: true,
  name: true,
  maxEntries: true,
  ttl: true,
  maxTtl: true,
  serializer: true,
  compressThreshold: true,
  maxValueBytes: true,
  busyTimeout: true,
  onEvict: true,
  onError: true,
  clock: true,
}

/** Validates {@link SqliteTierOptions}; bad values throw `InvalidOptionError` naming the option. */
export function resolveTierOptions(options: SqliteTierOptions): ResolvedSqliteTierOptions {
  readOptions(options, SQLITE_TIER_OPTIONS, {
    factory: 'sqliteTier',
    hint: 'sqliteTier() needs an options object with a path',
  })
  const { path, table = 'stack_tier', name = 'sqlite', compressThreshold = Infinity } = options
  if (typeof path !== 'string' || path.length === 0) {
    throw new InvalidOptionError('path', "path must be a file path or ':memory:'")
  }
  if (typeof table !== 'string' || !IDENTIFIER.test(table) || /^sqlite_/i.test(table)) {
    throw new InvalidOptionError(
      'table',
      `table must be a plain SQL identifier (letters, digits, _; at most 63 characters; not sqlite_*), got ${JSON.stringify(table)}`,
    )
  }
  if (typeof name !== 'string' || name.length === 0) {
    throw new InvalidOptionError('name', 'name must be a non-empty string')
  }
  if (typeof compressThreshold !== 'number' || !(compressThreshold >= 0)) {
    throw new InvalidOptionError('compressThreshold', 'compressThreshold must be a byte count >= 0')
  }
  return {
    path: path === ':memory:' ? path : resolve(path),
    table,
    name,
    maxEntries: integerOption(options.maxEntries, 'maxEntries', { fallback: 10_000, min: 1 }),
    ttl: lifetime(options.ttl, 'ttl'),
    maxTtl: lifetime(options.maxTtl, 'maxTtl'),
    // Checked by the envelope codec the tier builds from it.
    serializer: options.serializer ?? structuredSerializer,
    compressThreshold,
    maxValueBytes: integerOption(options.maxValueBytes, 'maxValueBytes', {
      fallback: undefined,
      min: 1,
    }),
    busyTimeoutMs: Math.ceil(durationOption(options.busyTimeout ?? 5000, 'busyTimeout', 0)),
    onEvict: optionalFunction(options.onEvict, 'onEvict'),
    onError: optionalFunction(options.onError, 'onError'),
    clock: optionalFunction(options.clock, 'clock') ?? Date.now,
  }
}

/** A lifetime in ms, > 0, as the memory tier reads it; `Infinity` when not given. */
function lifetime(value: Duration | undefined, option: string): number {
  if (value === undefined) return Number.POSITIVE_INFINITY
  const milliseconds = toMilliseconds(value, option)
  if (milliseconds === 0) throw new InvalidOptionError(option, `${option} must be > 0`)
  return milliseconds
}

function optionalFunction<F>(value: F | undefined, option: string): F | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw new InvalidOptionError(option, `${option} must be a function, got ${typeof value}`)
  }
  return value
}
