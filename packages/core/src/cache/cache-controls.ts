import { ClosedError } from '../errors.js'
import type { CacheEvents } from '../events.js'
import { type CacheStats, copyStats } from '../stats.js'
import type { CacheRuntime } from './runtime.js'

/**
 * Operating a cache, as opposed to using its data: its name, the run-time switch,
 * events, counters and lifecycle. Everything here belongs to the whole cache: a
 * namespace shares its root cache's switch, listeners, counters and `close()`.
 * {@link Cache} extends it with the data API.
 */
export abstract class CacheControls {
  readonly #rt: CacheRuntime

  constructor(runtime: CacheRuntime) {
    this.#rt = runtime
  }

  /** The cache's name, from its options. */
  get name(): string {
    return this.#rt.options.name
  }

  /** `true` when every tier is local, so `getOrSetSync` can answer synchronously. */
  get isLocalOnly(): boolean {
    return this.#rt.remotes.length === 0
  }

  /**
   * Whether caching is on. The switch belongs to the whole cache: a namespace reports,
   * and flips, its root cache's. Starts as the `enabled` option.
   */
  get enabled(): boolean {
    return this.#rt.enabled
  }

  /**
   * Turns caching off at run time (tests, incidents), for the whole cache and its
   * namespaces: reads miss, `getOrSet` and wrapped functions call their loader every
   * time and cache nothing, writes (`set`, `add`, `setMany`, backfills) do nothing. Removals
   * still reach every tier (`delete`, `deleteMany`, `clear`, `invalidateTags`,
   * `expireTags`), so {@link CacheControls.enable} never brings back a value removed meanwhile.
   *
   * @example
   * ```ts
   * cache.disable() // the database is the source of truth until further notice
   * await cache.delete('user:1') // still removed from every tier
   * cache.enable() // 'user:1' stays gone
   * ```
   */
  disable(): void {
    if (this.#rt.closing !== undefined) throw new ClosedError(this.#rt.options.name)
    this.#rt.switchTo(false)
  }

  /**
   * Turns caching back on after {@link CacheControls.disable} (or a cache created with
   * `enabled: false`). Entries written before the cache was disabled, and not removed
   * since, are served again while they are fresh.
   *
   * @example
   * ```ts
   * const cache = createCache({ enabled: false })
   * cache.enable()
   * ```
   */
  enable(): void {
    if (this.#rt.closing !== undefined) throw new ClosedError(this.#rt.options.name)
    this.#rt.switchTo(true)
  }

  /** Adds `listener` for `event`; returns a function that removes it. */
  on<K extends keyof CacheEvents>(
    event: K,
    listener: (payload: CacheEvents[K]) => void,
  ): () => void {
    return this.#rt.events.on(event, listener)
  }

  /** Removes a listener added with {@link CacheControls.on}. */
  off<K extends keyof CacheEvents>(event: K, listener: (payload: CacheEvents[K]) => void): void {
    this.#rt.events.off(event, listener)
  }

  /** A snapshot of the counters, per cache and per tier (shared with namespaces). */
  stats(): CacheStats {
    return copyStats(this.#rt.stats, this.#rt.recovery.stats(), this.#rt.storeStats())
  }

  /**
   * Aborts loaders in flight, flushes write-behind writes, closes the bus and every
   * tier, and makes every later call reject with `ClosedError`. Closing a namespace
   * closes the whole cache. Idempotent.
   */
  close(): Promise<void> {
    this.#rt.closing ??= this.#rt.close()
    return this.#rt.closing
  }
}
