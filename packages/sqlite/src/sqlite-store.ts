import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import {
  ClosedError,
  type RemoteStore,
  STORE_CONTRACT_VERSION,
  type StoreCapabilities,
  type StoreStats,
  StoreUnavailableError,
  type StoreWrite,
  ValueTooLargeError,
} from '@stack/core'
import {
  assertKey,
  assertPrefix,
  assertTombstoneUntil,
  assertVersion,
  assertWrite,
  PurgeRunner,
  refusesVersion,
} from '@stack/core/store-kit'
import { inTransaction, type OpenDatabase, openDatabase, type Statements } from './database.js'
import { after, decodeKey, encodeKey, prefixRange } from './keys.js'
import { type ResolvedSqliteOptions, resolveOptions, type SqliteStoreOptions } from './options.js'

/** Rows per `keys()` page and per purge batch: bounds how long one call blocks. */
const PAGE_ROWS = 500

/** SQLite's own limit on a string or BLOB (SQLITE_MAX_LENGTH). */
const MAX_VALUE_BYTES = 1_000_000_000

interface ValueRow {
  readonly value: Uint8Array
  readonly expires_at: number
}

/**
 * A {@link RemoteStore} on `node:sqlite`; see {@link sqliteStore}.
 *
 * Every call runs synchronously on the event loop (node:sqlite has no asynchronous API)
 * and returns a settled promise: a single-row call blocks for microseconds, a write
 * waiting for another process's lock for up to `busyTimeout`.
 */
export class SqliteStore implements RemoteStore {
  readonly name = 'sqlite'
  readonly contractVersion = STORE_CONTRACT_VERSION
  readonly capabilities: StoreCapabilities = {
    batch: true,
    add: true,
    keys: true,
    ttlGranularity: 'ms',
    maxValueBytes: MAX_VALUE_BYTES,
    conditionalWrite: true,
  }
  /** The database path (absolute) or `':memory:'`. */
  readonly path: string
  /** The table holding the entries. */
  readonly table: string

  readonly #options: ResolvedSqliteOptions
  #open: OpenDatabase | undefined
  #closed = false
  readonly #purger: PurgeRunner
  /** Expired rows this instance's purges removed. */
  #purged = 0

  constructor(options: SqliteStoreOptions) {
    this.#options = resolveOptions(options)
    this.path = this.#options.path
    this.table = this.#options.table
    this.#purger = new PurgeRunner(() => this.#purge(), this.#options.purgeIntervalMs)
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const stored = this.#begin(key)
    // Reads never write (an expired row stays until purged or overwritten), so under WAL
    // they never wait for another process's write lock.
    return this.#run('get', key, (sql) => {
      const row = sql.get.get(stored) as ValueRow | undefined
      return row !== undefined && row.expires_at > Date.now() ? row.value : undefined
    })
  }

  async set(key: string, value: Uint8Array, expiresAt: number): Promise<void> {
    const stored = this.#begin(key)
    this.#assertWritable(key, value, expiresAt)
    this.#run('set', key, (sql) => this.#write(sql, stored, value, expiresAt, Date.now()))
  }

  async delete(key: string): Promise<boolean> {
    const stored = this.#begin(key)
    return this.#run('delete', key, (sql) => removedLive(sql.delete.all(stored), Date.now()) > 0)
  }

  /** Removes the rows whose key starts with `prefix`: one range delete on the primary key. */
  async clear(prefix: string): Promise<void> {
    this.#assertOpen()
    assertPrefix(prefix)
    this.#run('clear', undefined, (sql) => {
      if (prefix === '') return sql.clearAll.run()
      const { from, to } = prefixRange(prefix)
      return to === undefined ? sql.clearFrom.run(from) : sql.clearRange.run(from, to)
    })
  }

  /**
   * Set-if-absent in one statement: an insert whose conflict branch only overwrites an
   * expired row. SQLite runs one writer at a time, so of any number of callers, in any
   * number of processes, exactly one stores its value.
   */
  async add(key: string, value: Uint8Array, expiresAt: number): Promise<boolean> {
    const stored = this.#begin(key)
    this.#assertWritable(key, value, expiresAt)
    const now = Date.now()
    // Nothing to store; the answer is still whether the key was free.
    if (expiresAt <= now) return (await this.get(key)) === undefined
    return this.#run('add', key, (sql) => sql.add.run(stored, value, expiresAt, now).changes === 1)
  }

  /**
   * Writes unless the row holds a strictly newer version (a live value's, or a tombstone's
   * before its `tombstone_until`): a read and a write in one `BEGIN IMMEDIATE`
   * transaction, so no other process writes between them.
   */
  async setIfNewer(
    key: string,
    value: Uint8Array,
    expiresAt: number,
    version: number,
  ): Promise<boolean> {
    const stored = this.#begin(key)
    this.#assertWritable(key, value, expiresAt)
    assertVersion(key, version)
    return this.#run('setIfNewer', key, (sql) =>
      inTransaction(sql, sql.beginWrite, () => {
        const now = Date.now()
        if (refusesVersion(heldVersion(sql, stored, now), version)) return false
        if (expiresAt <= now) sql.delete.all(stored)
        else sql.setVersioned.run(stored, value, expiresAt, version)
        return true
      }),
    )
  }

  /**
   * Unless the row holds a strictly newer version, replaces it with a tombstone of
   * `version` until `tombstoneUntil`: an expired row (every read, `add` and `delete` sees an
   * absent key) that purges keep until then. One `BEGIN IMMEDIATE` transaction.
   */
  async deleteIfNewer(key: string, version: number, tombstoneUntil: number): Promise<boolean> {
    const stored = this.#begin(key)
    assertVersion(key, version)
    assertTombstoneUntil(key, tombstoneUntil)
    return this.#run('deleteIfNewer', key, (sql) =>
      inTransaction(sql, sql.beginWrite, () => {
        const now = Date.now()
        if (refusesVersion(heldVersion(sql, stored, now), version)) return false
        const removed = removedLive(sql.delete.all(stored), now) > 0
        if (tombstoneUntil > now) sql.tombstone.run(stored, version, tombstoneUntil)
        return removed
      }),
    )
  }

  /** Reads every key in one read transaction. */
  async getMany(keys: readonly string[]): Promise<(Uint8Array | undefined)[]> {
    this.#assertOpen()
    const stored = keys.map((key) => this.#begin(key))
    if (stored.length === 0) return []
    return this.#run('getMany', undefined, (sql) =>
      inTransaction(sql, sql.begin, () => {
        const now = Date.now()
        return stored.map((storedKey) => {
          const row = sql.get.get(storedKey) as ValueRow | undefined
          return row !== undefined && row.expires_at > now ? row.value : undefined
        })
      }),
    )
  }

  /** Writes every entry in one write transaction: one commit, one WAL sync. */
  async setMany(entries: readonly StoreWrite[]): Promise<void> {
    this.#assertOpen()
    const stored = entries.map((entry) => {
      const storedKey = this.#begin(entry.key)
      this.#assertWritable(entry.key, entry.value, entry.expiresAt)
      return storedKey
    })
    if (stored.length === 0) return
    this.#run('setMany', undefined, (sql) =>
      inTransaction(sql, sql.beginWrite, () => {
        const now = Date.now()
        entries.forEach((entry, index) => {
          this.#write(sql, stored[index] as Buffer, entry.value, entry.expiresAt, now)
        })
      }),
    )
  }

  /** Deletes every key in one write transaction. */
  async deleteMany(keys: readonly string[]): Promise<number> {
    this.#assertOpen()
    const stored = keys.map((key) => this.#begin(key))
    if (stored.length === 0) return 0
    return this.#run('deleteMany', undefined, (sql) =>
      inTransaction(sql, sql.beginWrite, () => {
        const now = Date.now()
        let removed = 0
        for (const storedKey of stored) removed += removedLive(sql.delete.all(storedKey), now)
        return removed
      }),
    )
  }

  /**
   * Live keys starting with `prefix`, read in pages of 500 along the primary key, so
   * no read transaction stays open between pages.
   */
  async *keys(prefix: string): AsyncIterable<string> {
    this.#assertOpen()
    assertPrefix(prefix)
    const { from, to } = prefixRange(prefix)
    let start = from
    for (;;) {
      const rows = this.#run('keys', undefined, (sql) => {
        const now = Date.now()
        return (
          to === undefined
            ? sql.keysFrom.all(start, now, PAGE_ROWS)
            : sql.keysInRange.all(start, to, now, PAGE_ROWS)
        ) as { key: Uint8Array }[]
      })
      for (const row of rows) yield decodeKey(row.key)
      const last = rows.at(-1)
      if (rows.length < PAGE_ROWS || last === undefined) return
      start = after(last.key)
    }
  }

  /**
   * Deletes expired rows in batches of 500, yielding to the event loop between batches
   * so a large purge never blocks it for long. Concurrent calls share one run. Resolves
   * the number of rows removed.
   *
   * @example
   * ```ts
   * const removed = await store.purgeExpired()
   * ```
   */
  purgeExpired(): Promise<number> {
    try {
      this.#assertOpen()
    } catch (error) {
      return Promise.reject(error)
    }
    return this.#purger.run()
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#purger.stop()
    this.#open?.db.close()
    this.#open = undefined
  }

  /**
   * The table's `rows` (expired rows not yet purged included) and `bytes` (keys and
   * values), counted now, and the rows this instance's purges removed (`purges`). The count
   * reads every row's record header, not the values, synchronously: about 8 ms per 100,000
   * rows (measured on 115-byte rows), so do not call it per request.
   * After `close()`, or when the database cannot be read, only `purges`.
   *
   * @example
   * ```ts
   * store.stats() // { rows: 1_204, bytes: 5_120_330, purges: 96 }
   * ```
   */
  stats(): StoreStats {
    if (this.#closed) return { purges: this.#purged }
    try {
      const counted = this.#run('stats', undefined, (sql) => sql.stats.get()) as {
        rows: number | bigint
        bytes: number
      }
      return { rows: Number(counted.rows), bytes: counted.bytes, purges: this.#purged }
    } catch {
      return { purges: this.#purged }
    }
  }

  async #purge(): Promise<number> {
    const now = Date.now()
    let removed = 0
    for (;;) {
      const batch = this.#run('purgeExpired', undefined, (sql) => {
        return Number(sql.purgeBatch.run(now, now, PAGE_ROWS).changes)
      })
      removed += batch
      this.#purged += batch
      if (batch < PAGE_ROWS || this.#closed) return removed
      await yieldToEventLoop()
    }
  }

  #write(sql: Statements, stored: Buffer, value: Uint8Array, expiresAt: number, now: number): void {
    if (expiresAt <= now) sql.delete.all(stored)
    else sql.set.run(stored, value, expiresAt)
  }

  /** Runs `body` on the open database (opening it on first use), wrapping its failures. */
  #run<T>(operation: string, key: string | undefined, body: (sql: Statements) => T): T {
    this.#assertOpen()
    try {
      this.#open ??= openDatabase(this.#options)
      return body(this.#open.statements)
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      throw new StoreUnavailableError(this.name, `${operation} failed: ${reason}`, error, key)
    }
  }

  /** Validates the key and the store's state; returns the stored form of the key. */
  #begin(key: string): Buffer {
    this.#assertOpen()
    assertKey(key)
    return encodeKey(key)
  }

  #assertWritable(key: string, value: Uint8Array, expiresAt: number): void {
    assertWrite(key, value, expiresAt)
    if (value.byteLength > MAX_VALUE_BYTES) {
      throw new ValueTooLargeError(key, value.byteLength, MAX_VALUE_BYTES)
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new ClosedError(`store '${this.name}' (${this.path})`)
  }
}

/** The version a row holds now: a live value's or a live tombstone's; none otherwise. */
function heldVersion(sql: Statements, stored: Buffer, now: number): number | undefined {
  const row = sql.held.get(stored) as
    | { version: number | null; expires_at: number; tombstone_until: number | null }
    | undefined
  if (row === undefined || row.version === null) return undefined
  const alive = row.expires_at > now || (row.tombstone_until ?? Number.NEGATIVE_INFINITY) > now
  return alive ? row.version : undefined
}

/** How many of the rows a `DELETE ... RETURNING expires_at` removed were live. */
function removedLive(rows: unknown[], now: number): number {
  return rows.filter((row) => (row as { expires_at: number }).expires_at > now).length
}
