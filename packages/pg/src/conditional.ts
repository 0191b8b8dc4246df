import type { Helper } from 'postgres'
import type { PostgresClient } from './client.js'
import type { Track } from './guard.js'
import type { StoredKey } from './rows.js'

/**
 * Conditional writes as single statements on one row. A row's `version` is that of its
 * last conditional write (`NULL` after a plain write); a tombstone is a row already
 * expired (`expires_at = 0`, so every read, `add` and `delete` sees an absent key) whose
 * `tombstone_until` is still ahead. A row **refuses** a write or delete of `version` when
 * it is alive (unexpired, or a tombstone before its `tombstone_until`) and its version is
 * strictly greater. Row locks order concurrent callers; `ON CONFLICT` re-checks the
 * condition on the row's latest version.
 */
/** The table, as `sql(table.qualified)` gives it. */
type Table = Helper<string, []>

/** `setIfNewer`: resolves whether written (or, with a past expiry, removed). */
export async function setIfNewerRow(
  sql: PostgresClient,
  t: Table,
  track: Track,
  write: {
    readonly key: StoredKey
    readonly value: Buffer
    readonly expires: number | null | 'past'
    readonly version: number
  },
): Promise<boolean> {
  const { key, value, expires, version } = write
  const now = Date.now()
  if (expires === 'past') {
    const [row] = await track(sql<{ refused: boolean }[]>`
      WITH held AS (
        SELECT ${refuses(sql, 'entry', version, now)} AS refused
        FROM ${t} AS entry WHERE key_hash = ${key.hash} FOR UPDATE),
      removed AS (
        DELETE FROM ${t} WHERE key_hash = ${key.hash} AND NOT coalesce((SELECT refused FROM held), false))
      SELECT coalesce((SELECT refused FROM held), false) AS refused`)
    return row?.refused !== true
  }
  const written = await track(sql`
    INSERT INTO ${t} AS entry (key_hash, key, value, expires_at, version, tombstone_until)
    VALUES (${key.hash}, ${key.text}, ${value}, ${expires}, ${version}, NULL)
    ON CONFLICT (key_hash) DO UPDATE
    SET value = excluded.value, expires_at = excluded.expires_at,
        version = excluded.version, tombstone_until = NULL
    WHERE NOT ${refuses(sql, 'entry', version, now)}
    RETURNING 1`)
  return written.count === 1
}

/** `deleteIfNewer`: resolves whether a live value was removed. */
export async function deleteIfNewerRow(
  sql: PostgresClient,
  t: Table,
  track: Track,
  key: StoredKey,
  version: number,
  tombstoneUntil: number,
): Promise<boolean> {
  const now = Date.now()
  const [row] = await track(sql<{ live: boolean }[]>`
    WITH held AS (
      SELECT (expires_at IS NULL OR expires_at > ${now}) AS live
      FROM ${t} WHERE key_hash = ${key.hash} FOR UPDATE),
    marked AS (
      INSERT INTO ${t} AS entry (key_hash, key, value, expires_at, version, tombstone_until)
      VALUES (${key.hash}, ${key.text}, '\\x'::bytea, 0, ${version}, ${tombstoneUntil})
      ON CONFLICT (key_hash) DO UPDATE
      SET value = excluded.value, expires_at = 0,
          version = excluded.version, tombstone_until = excluded.tombstone_until
      WHERE NOT ${refuses(sql, 'entry', version, now)}
      RETURNING 1)
    SELECT coalesce((SELECT live FROM held), false) AND EXISTS (SELECT 1 FROM marked) AS live`)
  return row?.live === true
}

/** Whether row `alias` holds a strictly newer version than `version` now. */
function refuses(sql: PostgresClient, alias: string, version: number, now: number) {
  const row = sql(alias)
  return sql`(${row}.version IS NOT NULL AND ${row}.version > ${version}
    AND (${row}.expires_at IS NULL OR ${row}.expires_at > ${now}
         OR coalesce(${row}.tombstone_until > ${now}, false)))`
}

/** Plain writes drop a row's version and tombstone: what they write is unversioned. */
export function plainWriteColumns(sql: PostgresClient, conditional: boolean) {
  return conditional ? sql`, version = NULL, tombstone_until = NULL` : sql``
}

/** A purge keeps tombstones until their own deadline. */
export function keepTombstones(sql: PostgresClient, conditional: boolean, now: number) {
  return conditional ? sql`AND coalesce(tombstone_until <= ${now}, true)` : sql``
}
