import type { PostgresClient } from './client.js'
import type { Track } from './guard.js'
import type { TableName } from './table-name.js'

/**
 * Creates the cache table and its expiry index unless they exist. Runs under a
 * transaction-scoped advisory lock on the table's name, so any number of processes
 * starting at once create them exactly once; existence is checked first so that an
 * existing table costs no DDL and logs no notice.
 */
export async function ensureTable(
  sql: PostgresClient,
  table: TableName,
  track: Track,
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
    if (!found?.index_exists) {
      await track(tx`
        CREATE INDEX IF NOT EXISTS ${tx(table.index)} ON ${tx(table.qualified)} (expires_at)
        WHERE expires_at IS NOT NULL`)
    }
  })
}
