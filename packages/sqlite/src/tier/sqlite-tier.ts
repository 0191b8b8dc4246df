import {
  type CacheEntry,
  ClosedError,
  EnvelopeCodec,
  InvalidOptionError,
  type LocalTier,
  StoreUnavailableError,
  ValueTooLargeError,
} from '@stack/core'
import { EvictQueue } from '@stack/core/store-kit'
import { inTransaction } from '../database.js'
import { after, decodeKey, encodeKey, prefixRange } from '../keys.js'
import { assertEntry, assertTierKey, resolveExpiry } from './entry-rules.js'
import {
  type ResolvedSqliteTierOptions,
  resolveTierOptions,
  type SqliteTierEvictListener,
  type SqliteTierOptions,
} from './options.js'
import { Recency } from './recency.js'
import { clearPrefix, makeRoom, type Removal, type Row, removeKey, sweep } from './removals.js'
import { type OpenTierDatabase, openTierDatabase, type TierStatements } from './schema.js'
import type { SqliteTierStats } from './stats.js'

/** Rows per `keys()` page and per `prune()` batch. */
const PAGE_ROWS = 500

/**
 * A persistent, synchronous local tier: the {@link LocalTier} contract on a table of a
 * SQLite file (`node:sqlite`, WAL mode). Create it with {@link sqliteTier}.
 *
 * Entries are stored as core envelopes (bound to their key, checksummed) and decoded on
 * every read, so a reader gets a copy, never the written object. Reads never return an
 * entry at or past its expiry; `maxEntries` is enforced by LRU eviction on writes.
 */
export class SqliteTier implements LocalTier<CacheEntry> {
  readonly kind = 'local' as const
  /** Entries outlive the process: see {@link LocalTier.persistent}. */
  readonly persistent = true
  readonly name: string
  /** The database path (absolute) or `':memory:'`. */
  readonly path: string
  /** The table holding the entries. */
  readonly table: string

  readonly #options: ResolvedSqliteTierOptions
  readonly #codec: EnvelopeCodec
  #clock: () => number
  /** Whether `clock` was given to this tier, so a cache's clock must not replace it. */
  readonly #ownClock: boolean
  readonly #evicted = new EvictQueue<CacheEntry>()
  readonly #recency = new Recency()
  #open: OpenTierDatabase | undefined
  #closed = false
  #hits = 0
  #misses = 0
  #evictions = 0
  #expirations = 0
  #errors = 0

  constructor(options: SqliteTierOptions) {
    const resolved = resolveTierOptions(options)
    this.#options = resolved
    this.name = resolved.name
    this.path = resolved.path
    this.table = resolved.table
    this.#clock = resolved.clock
    this.#ownClock = options.clock !== undefined
    this.#codec = new EnvelopeCodec({
      serializer: resolved.serializer,
      compressThreshold: resolved.compressThreshold,
      maxValueBytes: resolved.maxValueBytes,
    })
    if (resolved.onEvict !== undefined) this.#evicted.add(resolved.onEvict)
  }

  /** Reads time from the cache's `clock` from now on, unless this tier was given its own. */
  adoptClock(clock: () => number): void {
    if (typeof clock !== 'function') {
      throw new InvalidOptionError('clock', 'clock must be a function returning epoch ms')
    }
    if (!this.#ownClock) this.#clock = clock
  }

  /** Rows in the table (any process's), including expired ones not yet swept; 0 once closed. */
  get size(): number {
    return this.#closed ? 0 : this.#counters().rows
  }

  /**
   * The live entry under `key`, or `undefined`. Counts a hit or a miss. A hit's recency is
   * recorded with this handle's next write (or after 256 reads), before any eviction, so
   * eviction follows this process's reads exactly. An expired row found here is removed
   * (`'expired'`); a row that does not decode is a miss counted in `stats().errors`.
   */
  get(key: string, now?: number): CacheEntry | undefined {
    this.#assertOpen()
    if (typeof key !== 'string' || key.length === 0) {
      this.#misses++
      return undefined
    }
    const stored = encodeKey(key)
    const row = this.#read(key, stored)
    if (row === undefined) {
      this.#misses++
      return undefined
    }
    const time = now ?? this.#clock()
    if (row.expires_at <= time) {
      this.#misses++
      this.#removeDead(key, stored, time)
      return undefined
    }
    const entry = this.#decode(key, row.value)
    if (entry === undefined) {
      this.#misses++
      return undefined
    }
    this.#hits++
    this.#touch(key, stored)
    return entry
  }

  peek(key: string): CacheEntry | undefined {
    this.#assertOpen()
    if (typeof key !== 'string' || key.length === 0) return undefined
    const row = this.#read(key, encodeKey(key))
    if (row === undefined || row.expires_at <= this.#clock()) return undefined
    return this.#decode(key, row.value)
  }

  /** `true` when a live entry that decodes exists; touches neither recency nor stats. */
  has(key: string): boolean {
    return this.peek(key) !== undefined
  }

  /**
   * Stores `entry` under `key` until `expiresAt` (epoch ms), or for `ttl` when omitted,
   * clamped to now + `maxTtl`. An expiry at or before now deletes the key instead.
   *
   * @throws InvalidKeyError when `key` is not a non-empty string.
   * @throws InvalidValueError when `entry` is not a cache entry.
   * @throws SerializationError when the serializer refuses the value (nothing changes).
   * @throws ValueTooLargeError when the value serializes to more than `maxValueBytes`;
   *   any previous entry under `key` is removed first (`'replaced'`).
   * @throws StoreUnavailableError when the database cannot be written (busy past
   *   `busyTimeout`, disk full, cannot open).
   */
  set(key: string, entry: CacheEntry, expiresAt?: number): void {
    this.#assertOpen()
    assertTierKey(key)
    const { expiry, now } = resolveExpiry(this.#options, expiresAt, this.#clock)
    assertEntry(this.name, key, entry)
    const stored = encodeKey(key)
    if (expiry <= now) {
      this.#write('set', key, (sql) => removeKey(sql, key, stored, 'deleted', now))
      return
    }
    let bytes: Uint8Array
    try {
      bytes = this.#codec.encode(key, entry)
    } catch (error) {
      if (ValueTooLargeError.isInstance(error)) {
        this.#write('set', key, (sql) => removeKey(sql, key, stored, 'replaced', now))
      }
      throw error
    }
    this.#write('set', key, (sql) => {
      let tick = this.#recency.record(sql)
      const previous = sql.get.get(stored) as Row | undefined
      sql.upsert.run(stored, bytes, expiry, ++tick)
      const removed: Removal[] = []
      if (previous !== undefined) {
        if (previous.expires_at <= now) {
          removed.push({ key, value: previous.value, reason: 'expired' })
        } else if (this.#evicted.active && Buffer.compare(previous.value, bytes) !== 0) {
          removed.push({ key, value: previous.value, reason: 'replaced' })
        }
      }
      makeRoom(sql, stored, now, this.#options.maxEntries, removed)
      return removed
    })
  }

  /** Removes `key`; `true` if a live entry was removed. */
  delete(key: string): boolean {
    this.#assertOpen()
    if (typeof key !== 'string' || key.length === 0) return false
    const stored = encodeKey(key)
    this.#recency.forget(key, true)
    const now = this.#clock()
    let live = false
    this.#write('delete', key, (sql) => {
      const removed = removeKey(sql, key, stored, 'deleted', now)
      live = removed[0]?.reason === 'deleted'
      return removed
    })
    return live
  }

  /** Removes every key starting with `prefix` (everything for `''`): one primary-key range delete. */
  clear(prefix = ''): void {
    this.#assertOpen()
    this.#recency.forget(prefix, false)
    const now = this.#clock()
    this.#write('clear', undefined, (sql) => clearPrefix(sql, prefix, now, this.#evicted.active))
  }

  /**
   * Records pending recency, closes the database and refuses later calls. Idempotent.
   * Unlike the memory tier's, it drops nothing: the entries stay in the file for the
   * next process (or handle) that opens it, and no listener is called.
   */
  close(): void {
    if (this.#closed) return
    try {
      if (this.#recency.pending > 0 && this.#open !== undefined) {
        this.#write('close', undefined, (sql) => {
          this.#recency.record(sql)
          return []
        })
      }
    } catch (error) {
      this.#failed(error)
    } finally {
      this.#closed = true
      this.#evicted.listeners = []
      this.#open?.db.close()
      this.#open = undefined
    }
  }

  /** Live keys starting with `prefix`, in key order, read in pages of 500. */
  *keys(prefix = ''): IterableIterator<string> {
    this.#assertOpen()
    const { from, to } = prefixRange(prefix)
    let start = from
    for (;;) {
      const now = this.#clock()
      const rows = this.#run('keys', undefined, (sql) =>
        to === undefined
          ? sql.keysFrom.all(start, now, PAGE_ROWS)
          : sql.keysInRange.all(start, to, now, PAGE_ROWS),
      ) as { key: Uint8Array }[]
      for (const row of rows) yield decodeKey(row.key)
      const last = rows.at(-1)
      if (rows.length < PAGE_ROWS || last === undefined) return
      start = after(last.key)
    }
  }

  /** Removes every expired row now (in writes of 500 rows) and returns how many there were. */
  prune(): number {
    this.#assertOpen()
    const now = this.#clock()
    let total = 0
    for (;;) {
      let batch = 0
      this.#write('prune', undefined, (sql) => {
        const removed = sweep(sql, now, PAGE_ROWS)
        batch = removed.length
        return removed
      })
      total += batch
      if (batch < PAGE_ROWS) return total
    }
  }

  stats(): SqliteTierStats {
    let counters = { rows: 0, bytes: 0 }
    try {
      if (!this.#closed) counters = this.#counters()
    } catch {
      // An unreadable database holds nothing this handle can count; reads count the errors.
    }
    const { rows, bytes } = counters
    return {
      hits: this.#hits,
      misses: this.#misses,
      evictions: this.#evictions,
      expirations: this.#expirations,
      errors: this.#errors,
      entries: rows,
      bytes,
    }
  }

  /**
   * Calls `listener` for every entry this handle removes (after the `onEvict` option).
   * Returns a function that removes it. Removals by other processes are not reported.
   */
  addEvictListener(listener: SqliteTierEvictListener): () => void {
    if (typeof listener !== 'function') {
      throw new InvalidOptionError('listener', 'an evict listener must be a function')
    }
    return this.#evicted.add(listener)
  }

  #touch(key: string, stored: Buffer): void {
    if (!this.#recency.touch(key, stored)) return
    try {
      this.#write('get', key, (sql) => {
        this.#recency.record(sql)
        return []
      })
    } catch (error) {
      this.#recency.drop()
      this.#failed(error)
    }
  }

  /** Removes a dead row a read found; a failure only costs the space until the next sweep. */
  #removeDead(key: string, stored: Buffer, now: number): void {
    try {
      this.#write('get', key, (sql) =>
        (sql.deleteDead.all(stored, now) as { value: Uint8Array }[]).map((row) => ({
          key,
          value: row.value,
          reason: 'expired' as const,
        })),
      )
    } catch (error) {
      if (!StoreUnavailableError.isInstance(error)) throw error
      this.#failed(error)
    }
  }

  /**
   * Runs `body` in a write transaction (`BEGIN IMMEDIATE`: waits up to `busyTimeout` for
   * another process's write), then counts and reports the rows it removed.
   */
  #write(operation: string, key: string | undefined, body: (sql: TierStatements) => Removal[]) {
    const removed = this.#run(operation, key, (sql) =>
      inTransaction(sql, sql.beginWrite, () => body(sql)),
    )
    for (const { key: removedKey, value, reason } of removed) {
      if (reason === 'capacity') this.#evictions++
      else if (reason === 'expired') this.#expirations++
      if (!this.#evicted.active || value === undefined) continue
      const entry = this.#decode(removedKey, value)
      if (entry !== undefined) this.#evicted.push(removedKey, entry, reason)
    }
    this.#evicted.flush()
  }

  /** A row, or `undefined` when there is none or the database cannot be read (counted). */
  #read(key: string, stored: Buffer): Row | undefined {
    try {
      return this.#run('get', key, (sql) => sql.get.get(stored) as Row | undefined)
    } catch (error) {
      this.#failed(error)
      return undefined
    }
  }

  /** The entry a row holds, or `undefined` (counted, reported) when it does not decode. */
  #decode(key: string, bytes: Uint8Array): CacheEntry | undefined {
    try {
      return this.#codec.decode(key, bytes)
    } catch (error) {
      this.#failed(error)
      return undefined
    }
  }

  #counters(): { rows: number; bytes: number } {
    return this.#run(
      'stats',
      undefined,
      (sql) => sql.counters.get() as { rows: number; bytes: number },
    )
  }

  /** Runs `body` on the open database (opening it on first use), wrapping SQLite's failures. */
  #run<T>(operation: string, key: string | undefined, body: (sql: TierStatements) => T): T {
    try {
      this.#open ??= openTierDatabase(this.path, this.table, this.#options.busyTimeoutMs)
      return body(this.#open.statements)
    } catch (error) {
      if (StoreUnavailableError.isInstance(error)) throw error
      const reason = error instanceof Error ? error.message : String(error)
      throw new StoreUnavailableError(this.name, `${operation} failed: ${reason}`, error, key)
    }
  }

  #failed(error: unknown): void {
    this.#errors++
    try {
      this.#options.onError?.(error instanceof Error ? error : new Error(String(error)))
    } catch {
      // A failing error hook must not turn a counted miss into a crash.
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new ClosedError(`sqlite tier "${this.name}"`)
  }
}
