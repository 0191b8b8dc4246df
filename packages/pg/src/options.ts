import { type Duration, InvalidOptionError, toMilliseconds } from '@stack/core'
import { type OptionNames, readOptions } from '@stack/core/store-kit'
import type { PostgresConnection } from './client.js'
import { parseTableName, type TableName } from './table-name.js'

/** Options of {@link pgStore}. */
export interface PgStoreOptions {
  /**
   * A postgres.js instance (not ended by `close()`), a connection URL, or postgres.js
   * options. Defaults to postgres.js' own defaults, i.e. the `PG*` environment variables.
   */
  readonly client?: PostgresConnection
  /** The table, `name` or `schema.name` (the schema must exist). Default `'stack_cache'`. */
  readonly table?: string
  /** Longest any call may take before it rejects with `StoreUnavailableError`. Default `'1s'`. */
  readonly timeout?: Duration
  /**
   * How often this store deletes expired rows in the background, or `false` for never
   * (call `purgeExpired()` yourself). Expired rows are never returned either way.
   * Default `'1m'`.
   */
  readonly purgeInterval?: Duration | false
  /** Create the table and its index on first use when missing. Default `true`. */
  readonly createTable?: boolean
  /**
   * Conditional writes (`capabilities.conditionalWrite`): rows carry a `version` and a
   * `tombstone_until` column, and core's writes and deletes are single statements that
   * refuse to replace a newer value or undo a newer delete. The columns are added to an
   * existing table on first use (nullable, no default: no rewrite). Default: `createTable`;
   * with `createTable: false`, add them yourself before turning this on (see the README).
   */
  readonly conditionalWrites?: boolean
}

export interface ResolvedPgStoreOptions {
  readonly table: TableName
  readonly timeoutMs: number
  readonly purgeIntervalMs: number | undefined
  readonly createTable: boolean
  readonly conditionalWrites: boolean
}

const PG_STORE_OPTIONS: OptionNames<PgStoreOptions> = {
  client: true,
  table: true,
  timeout: true,
  purgeInterval: true,
  createTable: true,
  conditionalWrites: true,
}

/** Validates {@link PgStoreOptions}; throws `InvalidOptionError` naming the bad option. */
export function resolvePgStoreOptions(options: PgStoreOptions): ResolvedPgStoreOptions {
  readOptions(options, PG_STORE_OPTIONS, { factory: 'pgStore' })
  const timeoutMs = toMilliseconds(options.timeout ?? 1_000, 'timeout')
  if (timeoutMs <= 0 || !Number.isFinite(timeoutMs)) {
    throw new InvalidOptionError(
      'timeout',
      `timeout must be a finite duration > 0, got ${timeoutMs}`,
    )
  }
  const purge = options.purgeInterval ?? 60_000
  const purgeIntervalMs = purge === false ? undefined : toMilliseconds(purge, 'purgeInterval')
  if (
    purgeIntervalMs !== undefined &&
    (purgeIntervalMs <= 0 || !Number.isFinite(purgeIntervalMs))
  ) {
    throw new InvalidOptionError(
      'purgeInterval',
      'purgeInterval must be a finite duration > 0 or false',
    )
  }
  const createTable = options.createTable ?? true
  if (typeof createTable !== 'boolean') {
    throw new InvalidOptionError('createTable', 'createTable must be a boolean')
  }
  const conditionalWrites = options.conditionalWrites ?? createTable
  if (typeof conditionalWrites !== 'boolean') {
    throw new InvalidOptionError('conditionalWrites', 'conditionalWrites must be a boolean')
  }
  return {
    table: parseTableName(options.table ?? 'stack_cache', 'table'),
    timeoutMs,
    purgeIntervalMs,
    createTable,
    conditionalWrites,
  }
}
