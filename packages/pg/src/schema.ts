import type { TransactionSql } from 'postgres'
import type { PostgresClient } from './client.js'
import type { Track } from './guard.js'
import type { TableName } from './table-name.js'

/**
 * Creates the cache table and its expiry index unless they exist. Runs under a
 * transaction-scoped advisory lock on the table's name, so any number of processes
 * starting at once create them exactly once; existence is checked first so that an
 * existing table costs no DDL and logs no notice. With conditional writes, the `version`
 * and `tombstone_until` columns are added to a table that lacks them.
 */
export async function ensureTable(
  sql: PostgresClient,
  table: TableName,
  track: Track,
  conditional: boolean,
): Promise<void> {
  await sql.begin(async (tx) => {
    await track(tx`SELECT pg_advisory_xact_lock(hashtext(${`@stack/pg:${table.qualified}`}))`)
    const [found] = await track(tx`
      SELECT to_regclass(${table.tableRegclass}) IS NOT NULL AS table_exists,
             to_regclass(${table.indexRegclass}) IS NOT NULL AS index_exists`)
    if (!found?.table_exists) {
      await track(tx`
        CREATE TABLE IF NOT EXISTS ${tx(table.qualified)} (
          key_hash bytea PRIMARY KEY,
          key text COLLATE "C" NOT NULL,
          value bytea NOT NULL,
          expires_at bigint
        )`)
    }
    if (conditional) await addVersionColumns(tx, table, track)
    if (!found?.index_exists) {
      await track(tx`
        CREATE INDEX IF NOT EXISTS ${tx(table.index)} ON ${tx(table.qualified)} (expires_at)
        WHERE expires_at IS NOT NULL`)
    }
  })
}

/**
 * The columns of conditional writes, added when missing: nullable and without a default,
 * so adding them to a table of any size changes only the catalog (no rewrite, a brief
 * lock). Rows written before read as unversioned (any conditional write replaces them).
 */
async function addVersionColumns(
  tx: TransactionSql<{}>,
  table: TableName,
  track: Track,
): Promise<void> {
  const [columns] = await track(tx`
    SELECT count(*)::int AS present FROM pg_attribute
    WHERE attrelid = to_regclass(${table.tableRegclass})
      AND attname IN ('version', 'tombstone_until') AND NOT attisdropped`)
  if (columns?.present === 2) return
  await track(tx`
    ALTER TABLE ${tx(table.qualified)}
      ADD COLUMN IF NOT EXISTS version double precision,
      ADD COLUMN IF NOT EXISTS tombstone_until double precision`)
}
