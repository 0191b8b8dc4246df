import type { CacheEntry } from './entry.js'

/**
 * The local tier contract: an in-process, **synchronous** tier that holds decoded
 * values (no serialization, no copy on the hit path unless asked for), and answers
 * most reads of the whole library. `memory()` is the built-in implementation;
 * `@stack/sqlite`'s `sqliteTier()` is a persistent one. Implementations prove themselves
 * with the contract tests in `packages/core/test/memory/local-tier-contract.ts`.
 *
 * Expiries are absolute epoch milliseconds, as in the remote contract. A local
 * tier never returns a value at or past its expiry.
 */
export interface LocalTier<V = CacheEntry> {
  /** Discriminates a local tier from a `RemoteStore` in a tier list. */
  readonly kind: 'local'
  /** Short human name for stats and traces. */
  readonly name: string
  /**
   * Optional: `true` when entries outlive the process (`sqliteTier()`). The cache then
   * treats tagged entries created before it started as invalidated until it knows their
   * tags (from a remote tier or the bus), since an invalidation may have happened while no
   * process held it in memory.
   */
  readonly persistent?: boolean
  /**
   * The live value under `key`, or `undefined`. Counts a hit or a miss and updates
   * recency. `now` is the current time when the caller already read the clock (the
   * cache does, to judge freshness), sparing a second read on the hit path.
   */
  get(key: string, now?: number): V | undefined
  /** Like {@link get} but touches neither recency nor stats. */
  peek(key: string): V | undefined
  /** `true` when a live value exists; touches neither recency nor stats. */
  has(key: string): boolean
  /**
   * Stores `value` until `expiresAt` (epoch ms; omitted or `Infinity` for never).
   * An `expiresAt` at or before now removes the key instead.
   */
  set(key: string, value: V, expiresAt?: number): void
  /** Removes `key`; `true` if a live value was removed. */
  delete(key: string): boolean
  /** Removes every key starting with `prefix` (everything for `''`). */
  clear(prefix?: string): void
  /**
   * Stops accepting calls. Idempotent. `memory()` drops everything; a persistent tier
   * (`@stack/sqlite`'s `sqliteTier()`) keeps its entries for the next process.
   */
  close(): void
  /**
   * Optional: read time from `clock` from now on, unless the tier was configured with a
   * clock of its own. `createCache` calls it with its `clock` option, so that the tier
   * and the cache agree on when entries expire (a fake clock in tests, say).
   */
  adoptClock?(clock: () => number): void
  /**
   * Optional: calls `listener` for every entry the tier drops by itself (capacity,
   * expiry) or is told to drop. Returns a function that removes the listener.
   */
  addEvictListener?(listener: (key: string, value: V, reason: string) => void): () => void
}

/** Tells a local tier from a remote store in a mixed tier list. */
export function isLocalTier(tier: unknown): tier is LocalTier<unknown> {
  return typeof tier === 'object' && tier !== null && (tier as { kind?: unknown }).kind === 'local'
}
