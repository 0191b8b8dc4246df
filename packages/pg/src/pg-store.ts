import {
  ClosedError,
  type RemoteStore,
  STORE_CONTRACT_VERSION,
  type StoreCapabilities,
} from '@stack/core'
import { assertKey, assertPrefix, assertTombstoneUntil, assertVersion } from '@stack/core/store-kit'
import { type PostgresClient, resolveClient } from './client.js'
import {
  deleteIfNewerRow,
  keepTombstones,
  plainWriteColumns,
  setIfNewerRow,
} from './conditional.js'
import { guard, type Track } from './guard.js'
import { decodeText, encodeText } from './key-codec.js'
import { type PgStoreOptions, resolvePgStoreOptions } from './options.js'
import { expiryColumn, hashesHex, splitWrites, storedKey, toBuffer } from './rows.js'
import { ensureTable } from './schema.js'

/** A {@link RemoteStore} on a PostgreSQL table, with every optional method; see {@link pgStore}. */
export interface PgStore extends RemoteStore {
  getMany: NonNullable<RemoteStore['getMany']>
  setMany: NonNullable<RemoteStore['setMany']>
  deleteMany: NonNullable<RemoteStore['deleteMany']>
  add: NonNullable<RemoteStore['add']>
  keys: NonNullable<RemoteStore['keys']>
  /** The postgres.js instance in use. */
  readonly sql: PostgresClient
  /** Deletes expired rows now; resolves how many. The purge timer calls this too. */
  purgeExpired(): Promise<number>
}

const NAME = 'pg'
/** Rows deleted per statement by {@link PgStore.purgeExpired}, to keep each one short. */
const PURGE_BATCH = 5_000
/** Rows fetched per round trip by `keys()`. */
const KEYS_BATCH = 500
/** SQLSTATE `undefined_table`: someone dropped the table; recreate it on the next call. */
const UNDEFINED_TABLE = '42P01'

/**
 * A store on a PostgreSQL table (`key text`, `value bytea`, `expires_at bigint` epoch ms,
 * `NULL` = never), through postgres.js. The table and an index on `expires_at` are
 * created on first use. Expired rows are never returned and are deleted in the
 * background every `purgeInterval`.
 *
 * @example
 * ```ts
 * import { createCache, memory } from '@stack/core'
 * import { pgStore } from '@stack/pg'
 *
 * const cache = createCache({
 *   tiers: [memory(), pgStore({ client: process.env.DATABASE_URL, table: 'cache' })],
 *   ttl: '5m',
 * })
 * ```
 */
export function pgStore(options: PgStoreOptions = {}): PgStore {
  const resolved = resolvePgStoreOptions(options)
  const { sql, owned } = resolveClient(options.client, resolved.timeoutMs)
  const { table, timeoutMs, createTable, conditionalWrites } = resolved
  const capabilities: StoreCapabilities = {
    batch: true,
    add: true,
    keys: true,
    ttlGranularity: 'ms',
    conditionalWrite: conditionalWrites,
  }
  /** What a plain write sets besides value and expiry (a conditional table drops the version). */
  const unversioned = plainWriteColumns(sql, conditionalWrites)
  const t = sql(table.qualified)
  let closed = false
  let ready: Promise<void> | undefined

  /** Set once the schema check (or creation) succeeded; a missing table resets it. */
  let tableReady = !createTable
  const ensureReady = (track: Track): Promise<void> => {
    if (!createTable) return Promise.resolve()
    ready ??= ensureTable(sql, table, track, conditionalWrites).then(
      () => {
        tableReady = true
      },
      (error: unknown) => {
        ready = undefined
        throw error
      },
    )
    return ready
  }

  /** For a batch call with nothing to do: `value`, or `ClosedError` after close. */
  const whenOpen = <T>(value: T): T => {
    if (closed) throw new ClosedError(`${NAME} store`)
    return value
  }

  /** Runs one operation: closed check, schema, timeout, error mapping. */
  const run = <T>(work: (track: Track) => PromiseLike<T>, key?: string): Promise<T> => {
    if (closed) return Promise.reject(new ClosedError(`${NAME} store`))
    // Once the table is known to exist, a call goes straight to its query.
    const guarded = guard(
      NAME,
      timeoutMs,
      (track) => (tableReady ? work(track) : ensureReady(track).then(() => work(track))),
      key,
    )
    return guarded.catch((error: unknown) => {
      if (sqlState(error) === UNDEFINED_TABLE) {
        ready = undefined
        tableReady = false
      }
      throw error
    })
  }

  const purgeExpired = () =>
    run(async (track) => {
      let total = 0
      for (;;) {
        const now = Date.now()
        const result = await track(sql`
          DELETE FROM ${t} WHERE key_hash IN (
            SELECT key_hash FROM ${t} WHERE expires_at <= ${now} ${keepTombstones(sql, conditionalWrites, now)}
            LIMIT ${PURGE_BATCH})`)
        total += result.count
        if (result.count < PURGE_BATCH) return total
      }
    })

  const timer =
    resolved.purgeIntervalMs === undefined
      ? undefined
      : setInterval(() => purgeExpired().catch(() => undefined), resolved.purgeIntervalMs).unref()

  const store: PgStore = {
    name: NAME,
    contractVersion: STORE_CONTRACT_VERSION,
    capabilities,
    sql,

    async get(key) {
      const { hash } = storedKey(key)
      return run(async (track) => {
        const [row] = await track(sql<{ value: Uint8Array }[]>`
          SELECT value FROM ${t}
          WHERE key_hash = ${hash} AND (expires_at IS NULL OR expires_at > ${Date.now()})`)
        return row?.value
      }, key)
    },

    async set(key, value, expiresAt) {
      const stored = storedKey(key)
      const expires = expiryColumn(expiresAt)
      const bytes = toBuffer(value)
      return run(async (track) => {
        if (expires === 'past') {
          await track(sql`DELETE FROM ${t} WHERE key_hash = ${stored.hash}`)
          return
        }
        await track(sql`
          INSERT INTO ${t} (key_hash, key, value, expires_at)
          VALUES (${stored.hash}, ${stored.text}, ${bytes}, ${expires})
          ON CONFLICT (key_hash) DO UPDATE
          SET value = excluded.value, expires_at = excluded.expires_at ${unversioned}`)
      }, key)
    },

    async add(key, value, expiresAt) {
      const stored = storedKey(key)
      const expires = expiryColumn(expiresAt)
      const bytes = toBuffer(value)
      return run(async (track) => {
        const now = Date.now()
        if (expires === 'past') {
          const [live] = await track(sql`
            SELECT 1 FROM ${t}
            WHERE key_hash = ${stored.hash} AND (expires_at IS NULL OR expires_at > ${now})`)
          return live === undefined
        }
        // The conflict branch only fires over an expired row; concurrent callers queue on
        // the row lock and re-check, so exactly one of them gets a row back.
        const inserted = await track(sql`
          INSERT INTO ${t} AS entry (key_hash, key, value, expires_at)
          VALUES (${stored.hash}, ${stored.text}, ${bytes}, ${expires})
          ON CONFLICT (key_hash) DO UPDATE
          SET value = excluded.value, expires_at = excluded.expires_at ${unversioned}
          WHERE entry.expires_at IS NOT NULL AND entry.expires_at <= ${now}
          RETURNING 1`)
        return inserted.count === 1
      }, key)
    },

    async delete(key) {
      const { hash } = storedKey(key)
      return run(async (track) => {
        const [row] = await track(sql<{ live: boolean }[]>`
          DELETE FROM ${t} WHERE key_hash = ${hash}
          RETURNING (expires_at IS NULL OR expires_at > ${Date.now()}) AS live`)
        return row?.live === true
      }, key)
    },

    async clear(prefix) {
      assertPrefix(prefix)
      const encoded = encodeText(prefix)
      return run(async (track) => {
        if (encoded === '') await track(sql`DELETE FROM ${t}`)
        else await track(sql`DELETE FROM ${t} WHERE starts_with(key, ${encoded})`)
      })
    },

    async getMany(keys) {
      const stored = keys.map(storedKey)
      if (stored.length === 0) return whenOpen([])
      return run(async (track) => {
        const rows = await track(sql<{ key: string; value: Uint8Array }[]>`
          SELECT key, value FROM ${t}
          WHERE key_hash IN (SELECT decode(h, 'hex') FROM unnest(${hashesHex(stored)}::text[]) AS h)
            AND (expires_at IS NULL OR expires_at > ${Date.now()})`)
        const found = new Map(rows.map((row) => [row.key, row.value]))
        return stored.map((key) => found.get(key.text))
      })
    },

    async setMany(entries) {
      const { upserts, deletions } = splitWrites(entries)
      if (upserts.keys.length === 0 && deletions.length === 0) return whenOpen(undefined)
      return run(async (track) => {
        await track(sql`
          WITH expired AS (DELETE FROM ${t} WHERE key_hash IN (SELECT decode(h, 'hex') FROM unnest(${deletions}::text[]) AS h))
          INSERT INTO ${t} (key_hash, key, value, expires_at)
          SELECT decode(h, 'hex'), k, decode(v, 'hex'), e FROM unnest(
            ${upserts.hashes}::text[],
            ${upserts.keys}::text[],
            ${upserts.values}::text[],
            ${upserts.expiries}::bigint[]) AS batch(h, k, v, e)
          ON CONFLICT (key_hash) DO UPDATE
          SET value = excluded.value, expires_at = excluded.expires_at ${unversioned}`)
      })
    },

    async deleteMany(keys) {
      const stored = keys.map(storedKey)
      if (stored.length === 0) return whenOpen(0)
      return run(async (track) => {
        const [row] = await track(sql<{ live: number }[]>`
          WITH removed AS (
            DELETE FROM ${t} WHERE key_hash IN (SELECT decode(h, 'hex') FROM unnest(${hashesHex(stored)}::text[]) AS h)
            RETURNING (expires_at IS NULL OR expires_at > ${Date.now()}) AS live)
          SELECT count(*) FILTER (WHERE live)::int AS live FROM removed`)
        return row?.live ?? 0
      })
    },

    keys(prefix) {
      return streamKeys(prefix)
    },

    ...(conditionalWrites && {
      async setIfNewer(key: string, value: Uint8Array, expiresAt: number, version: number) {
        const stored = storedKey(key)
        const expires = expiryColumn(expiresAt)
        const bytes = toBuffer(value)
        assertVersion(key, version)
        return run(
          (track) => setIfNewerRow(sql, t, track, { key: stored, value: bytes, expires, version }),
          key,
        )
      },
      async deleteIfNewer(key: string, version: number, tombstoneUntil: number) {
        assertKey(key)
        const stored = storedKey(key)
        assertVersion(key, version)
        assertTombstoneUntil(key, tombstoneUntil)
        const until = Math.max(0, tombstoneUntil)
        return run((track) => deleteIfNewerRow(sql, t, track, stored, version, until), key)
      },
    }),

    purgeExpired,

    async close() {
      if (closed) return
      closed = true
      if (timer) clearInterval(timer)
      if (owned) await sql.end({ timeout: timeoutMs / 1000 }).catch(() => undefined)
    },
  }

  async function* streamKeys(rawPrefix: string): AsyncGenerator<string> {
    assertPrefix(rawPrefix)
    const prefix = encodeText(rawPrefix)
    const batches = await run(async (track) => {
      const query = track(sql<{ key: string }[]>`
        SELECT key FROM ${t}
        WHERE starts_with(key, ${prefix}) AND (expires_at IS NULL OR expires_at > ${Date.now()})`)
      return { query, iterator: query.cursor(KEYS_BATCH)[Symbol.asyncIterator]() }
    })
    let done = false
    try {
      while (!done) {
        const next = await guard(NAME, timeoutMs, (track) => {
          track(batches.query)
          return batches.iterator.next()
        })
        done = next.done === true
        if (!done) for (const row of next.value) yield decodeText(row.key)
      }
    } finally {
      // Stopped early or failed: close the cursor so that its connection is released.
      if (!done) void batches.iterator.return?.()
    }
  }

  return store
}

function sqlState(error: unknown): string | undefined {
  const cause = error instanceof Error ? error.cause : undefined
  const code = (cause as { code?: unknown } | undefined)?.code
  return typeof code === 'string' ? code : undefined
}
