/**
 * The remote store contract: what a backend (Redis, Postgres, S3, ...) implements.
 *
 * Stores are deliberately dumb. They move opaque bytes under string keys with an
 * absolute expiry; freshness, stale windows, tags, namespaces, serialization and
 * stats all live in `@stack/core`. Prove a store with `@stack/test-suite`.
 *
 * @packageDocumentation
 */

/**
 * Version of the store contract. A store declares the version it implements in
 * {@link RemoteStore.contractVersion}; changing this contract is a major release.
 */
export const STORE_CONTRACT_VERSION = 1

/** An expiry meaning "never expires". */
export const NO_EXPIRY = Number.POSITIVE_INFINITY

/** What a store does natively. Core fills the gaps and sizes its calls with these. */
export interface StoreCapabilities {
  /**
   * `true` when `getMany`/`setMany`/`deleteMany` are native batch calls (one round
   * trip, or one per shard). `false` means core falls back to parallel single calls.
   */
  readonly batch: boolean
  /** `true` when `add` is atomic across every client of the backend (usable for locks). */
  readonly add: boolean
  /** `true` when `keys(prefix)` is implemented. */
  readonly keys: boolean
  /**
   * Smallest unit of expiry the backend honours. A `'ms'` store honours the exact
   * millisecond (never whole seconds, rounded either way). A `'s'` store rounds expiries
   * **up** to the next whole second, so an entry may outlive its `expiresAt` by up to 1 s
   * (never expire before it);
   * core's envelope still refuses to serve it past its own deadline.
   */
  readonly ttlGranularity: 'ms' | 's'
  /**
   * Longest key, in UTF-8 bytes, the store accepts, or `undefined` for no limit.
   * Stores that hash long keys have no limit and should leave this undefined.
   */
  readonly maxKeyBytes?: number | undefined
  /** Largest value, in bytes, the store accepts, or `undefined` for no limit of its own. */
  readonly maxValueBytes?: number | undefined
  /**
   * Most keys one `getMany` call may carry (a positive integer), or `undefined` for no
   * limit. Core never sends a batch read larger than this: it splits a caller's
   * `getMany` into batches of at most this many keys, and closes a batch of coalesced
   * reads when it reaches this many distinct keys. Declare it when the backend refuses
   * or handles badly larger requests (a bound on bind parameters, on a request's size).
   *
   * @example
   * ```ts
   * const capabilities: StoreCapabilities = {
   *   batch: true, add: true, keys: false, ttlGranularity: 'ms', maxBatchKeys: 1_000,
   * }
   * ```
   */
  readonly maxBatchKeys?: number | undefined
  /**
   * `true` when the store skips re-writing an unchanged value: a `set` of an envelope
   * whose payload (see `splitEnvelope` in `@stack/core/store-kit`) is the one already
   * stored under the key replaces only the envelope's header and the expiry, without
   * transferring the payload again. Everything else about `set` holds: `get` then returns
   * exactly the new bytes, and the new expiry applies. Optional; `undefined` means `false`.
   * `@stack/test-suite` runs its deduplication cases on stores that declare it.
   *
   * @example
   * ```ts
   * if (store.capabilities.dedupeWrites) console.log(`${store.name} rewrites only headers`)
   * ```
   */
  readonly dedupeWrites?: boolean | undefined
  /**
   * `true` when the store implements {@link RemoteStore.setIfNewer} and
   * {@link RemoteStore.deleteIfNewer}, atomically for every client of the backend: a write
   * carries a version (core passes the entry's `createdAt`), and a write or delete is
   * refused when the key holds a strictly newer version, or a delete's tombstone does.
   * Core then makes every write and delete of an entry conditional, so that across
   * processes a slow older write never replaces a newer value nor undoes a newer delete.
   * Optional; `undefined` means `false` (core writes with `set`/`delete`: last writer
   * wins). `@stack/test-suite` runs its conditional-write cases on stores that declare it.
   *
   * @example
   * ```ts
   * if (store.capabilities.conditionalWrite) console.log(`${store.name}: newer wins`)
   * ```
   */
  readonly conditionalWrite?: boolean | undefined
}

/**
 * A store's own counters, from {@link RemoteStore.stats}: names to numbers. Use these
 * names when they fit: `entries` (entries or rows held), `bytes` (bytes held), `writes`
 * (writes this instance made), `dedupedWrites` (writes that reused a stored payload),
 * `purges` (expired entries this instance removed).
 */
export type StoreStats = Readonly<Record<string, number>>

/** One write of a batch. */
export interface StoreWrite {
  readonly key: string
  readonly value: Uint8Array
  /** Absolute expiry in epoch milliseconds; see {@link RemoteStore.set}. */
  readonly expiresAt: number
}

/**
 * Something in a store's backend configuration that weakens what core relies on,
 * reported by {@link RemoteStore.checkSetup}.
 *
 * Codes core knows:
 * - `'evicts-live-keys'`: the backend may remove keys before their expiry (Redis with an
 *   evicting `maxmemory-policy`, memcached with evictions on). Core keeps its tag
 *   timestamps in every remote tier; an evicted one brings back the entries
 *   `invalidateTags` killed, in the processes that have not learned of it yet.
 *
 * @example
 * ```ts
 * const warning: StoreWarning = {
 *   code: 'evicts-live-keys',
 *   message: 'maxmemory-policy is allkeys-lru: keys may be evicted before they expire',
 * }
 * ```
 */
export interface StoreWarning {
  /** A stable identifier of the problem, such as `'evicts-live-keys'`. */
  readonly code: string
  /** What is wrong and what to change, for an operator. */
  readonly message: string
}

/**
 * A remote (asynchronous, byte-oriented) store. `@stack/test-suite` checks every rule
 * here that a test can check.
 *
 * **Keys** are any non-empty string: unicode, spaces, `/`, `..`, `*`, 10 kB long. The
 * store owns key encoding: it maps keys to its backend's rules deterministically (hashing
 * what is too long or unsafe) so that no key can escape its namespace, match another
 * key's pattern, or traverse a path, and two distinct keys never share storage (no case
 * folding, no Unicode normalisation, no truncation). A store may refuse, with
 * `InvalidKeyError`, only keys containing `\0`, keys with a lone UTF-16 surrogate (no
 * UTF-8 form) and keys over `capabilities.maxKeyBytes`.
 *
 * **Expiry** is absolute, in epoch ms: an entry is live while `now < expiresAt`, so at
 * `now === expiresAt` it is expired, for every operation (each checks expiry itself,
 * never relying on an earlier `get` having purged the entry). `Infinity` never expires;
 * `-Infinity` or any past time is already expired; `NaN` rejects.
 *
 * **Values** are copied both ways: `set` keeps a copy of the caller's bytes, and
 * `get`/`getMany` resolve a copy the caller owns. Results are `Uint8Array`s (a `Buffer`
 * is allowed; callers use only `Uint8Array` behaviour).
 *
 * **Invalid input** rejects before anything is written: `''` or a non-string key with
 * `InvalidKeyError`; a value that is not a `Uint8Array`, an `expiresAt` that is not a
 * number or is `NaN`, and a `clear`/`keys` prefix that is not a string with
 * `InvalidOptionError` naming `value`, `expiresAt` or `prefix`.
 *
 * Every method rejects with `ClosedError` (code `E_CLOSED`; construct it as
 * `new ClosedError(name)`) after {@link close}, and with `StoreUnavailableError` (code
 * `E_STORE_UNAVAILABLE`) when the backend cannot be reached, within the store's own
 * timeout; no call hangs. {@link keys} reports errors when iterated, never at the call.
 *
 * @example
 * ```ts
 * const store: RemoteStore = memoryStore()
 * await store.set('k', new Uint8Array([1]), Date.now() + 60_000)
 * await store.get('k') // Uint8Array [1]
 * await store.set('k', new Uint8Array([2]), Date.now()) // expired at once: a delete
 * await store.get('k') // undefined
 * ```
 */
export interface RemoteStore {
  /** Short human name for errors, stats and traces, e.g. `'redis'`. */
  readonly name: string
  /** The {@link STORE_CONTRACT_VERSION} this store implements. */
  readonly contractVersion: number
  readonly capabilities: StoreCapabilities

  /**
   * A copy of the bytes stored under `key`, or `undefined` when absent or expired (at
   * the declared granularity). Never returns another key's bytes or a partial write.
   */
  get(key: string): Promise<Uint8Array | undefined>

  /**
   * Stores a copy of `value` under `key` until `expiresAt` (epoch ms; `Infinity` for
   * never), replacing any previous value. An `expiresAt` at or before now (`-Infinity`
   * included) must not persist: the call behaves as {@link delete}. A failed write leaves either the previous
   * value or nothing, never a torn one. Values over `capabilities.maxValueBytes`
   * reject with `ValueTooLargeError`, never a silent drop, and leave the previous
   * value untouched.
   */
  set(key: string, value: Uint8Array, expiresAt: number): Promise<void>

  /**
   * Removes `key`. Resolves `true` if a live entry was removed, `false` otherwise (an
   * entry already past its expiry is not live).
   */
  delete(key: string): Promise<boolean>

  /**
   * Removes every entry whose key starts with `prefix`, compared code unit by code unit
   * (no pattern, no normalisation), and nothing else. `''` removes everything the store
   * can see, also what other instances of it wrote, and nothing of other namespaces
   * sharing the backend. Entries written concurrently with the clear may survive it.
   */
  clear(prefix: string): Promise<void>

  /** Releases connections, timers and handles. Idempotent; later calls reject with `ClosedError`. */
  close(): Promise<void>

  /** Batch get: one result per key, in order, `undefined` for misses. Empty input resolves `[]`. */
  getMany?(keys: readonly string[]): Promise<(Uint8Array | undefined)[]>
  /**
   * Batch set with per-entry expiry; same semantics as {@link set} for each entry. When
   * a key appears more than once, the last entry wins. All or nothing on invalid input:
   * a batch with one invalid entry rejects and writes none (a backend failure midway may
   * still leave part of it written, each entry whole).
   */
  setMany?(entries: readonly StoreWrite[]): Promise<void>
  /** Batch delete. Resolves the number of live entries removed. */
  deleteMany?(keys: readonly string[]): Promise<number>
  /**
   * Set-if-absent. Resolves `true` if this call stored the value (no live entry existed),
   * `false` otherwise; an expired entry counts as absent. An `expiresAt` at or before now
   * stores nothing and resolves whether the key was free (`true` for an absent key,
   * `false` over a live entry, which it leaves alone). With `capabilities.add`, among any
   * number of concurrent callers on one key exactly one resolves `true`: that is what
   * distributed locks rely on.
   */
  add?(key: string, value: Uint8Array, expiresAt: number): Promise<boolean>
  /**
   * Live keys starting with `prefix` (code unit by code unit, as {@link clear}), in no
   * particular order, streamed. Errors (closed store, invalid prefix) reject the first
   * step of the iteration, never the call itself: an `async function*` does this.
   */
  keys?(prefix: string): AsyncIterable<string>
  /**
   * Reads the backend's configuration and reports settings that break what core relies
   * on (see {@link StoreWarning}), e.g. Redis' `maxmemory-policy`. Resolves `[]` when
   * all is well and also when the store cannot tell (the command is disabled or
   * renamed, as on managed services); rejects only when the backend cannot be reached.
   * Core calls it once per cache, the first time the cache uses tags (again a minute
   * later if it rejected), logs each warning through the cache's `logger` and emits a
   * `setup` event. No fallback: a store without the method reports nothing.
   */
  checkSetup?(): Promise<readonly StoreWarning[]>
  /**
   * Conditional `set`, for stores declaring `capabilities.conditionalWrite`. Stores
   * `value` until `expiresAt` exactly as {@link set} does, with `version` (a finite
   * number; core passes the entry's `createdAt`, epoch ms) kept beside it, unless the key
   * holds a **strictly newer** version: a live value written with a greater `version`, or
   * a live tombstone of a {@link deleteIfNewer} with a greater `version`. Ties write (the
   * call that lands last wins, as with `set`). A value written by plain `set` (or `add`)
   * has no version and never refuses. Resolves `true` when written, `false` when refused
   * (nothing changed). The check and the write are one atomic step for every client of
   * the backend.
   *
   * An `expiresAt` at or before now stores nothing: when not refused, the key is removed
   * (its value or tombstone), as `set` would. Invalid input rejects before anything is
   * written: the rules of `set`, and a `version` that is not a finite number
   * (`InvalidOptionError` naming `version`).
   *
   * @example
   * ```ts
   * await store.setIfNewer?.('k', new Uint8Array([2]), Date.now() + 60_000, 2_000) // true
   * await store.setIfNewer?.('k', new Uint8Array([1]), Date.now() + 60_000, 1_000) // false: older
   * ```
   */
  setIfNewer?(key: string, value: Uint8Array, expiresAt: number, version: number): Promise<boolean>
  /**
   * Conditional `delete`, for stores declaring `capabilities.conditionalWrite`. Unless the
   * key holds a strictly newer version (a live value or tombstone with a greater
   * `version`; ties delete), removes its value and leaves a **tombstone** carrying
   * `version` until `tombstoneUntil` (epoch ms): until then, a `setIfNewer` with a version
   * strictly below `version` is refused, so an older write landing late cannot bring the
   * key back. A tombstone is invisible to every other method: `get`,
   * `getMany`, `keys` and `add` see an absent key, `delete` resolves `false` (and removes
   * it), `set` replaces it, `clear` removes it. A `tombstoneUntil` at or before now leaves
   * no tombstone. Resolves `true` when a live value was removed, `false` otherwise
   * (absent, already a tombstone, or refused: a newer value stays). Atomic like
   * {@link setIfNewer}. A `version` that is not a finite number, or a `tombstoneUntil`
   * that is `NaN`, `Infinity` or not a number, rejects with `InvalidOptionError` naming it.
   *
   * @example
   * ```ts
   * await store.deleteIfNewer?.('k', Date.now(), Date.now() + 60_000)
   * ```
   */
  deleteIfNewer?(key: string, version: number, tombstoneUntil: number): Promise<boolean>
  /**
   * The store's own counters, where they are cheap to give (no scan of the backend, no
   * round trip): synchronous, and never throwing (return what is known, `{}` at worst).
   * The cache shows them as `cache.stats().tiers[i].store`.
   *
   * @example
   * ```ts
   * store.stats?.() // { entries: 120, bytes: 48_213, writes: 130, purges: 10 }
   * ```
   */
  stats?(): StoreStats
}
