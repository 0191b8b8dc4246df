import type { TierStatements } from './schema.js'

/** Reads whose recency is recorded in one write, at the latest. */
export const TOUCH_BATCH = 256

/**
 * The LRU recency of one handle's reads, kept in memory until its next write: a hit
 * then costs no write of its own. A write records every pending use (oldest first) in
 * its transaction before it evicts anything, so within one process eviction follows
 * the reads exactly; uses by other processes count once they write.
 */
export class Recency {
  /** Keys read since the last write, oldest first, with their stored form. */
  readonly #touched = new Map<string, Buffer>()

  get pending(): number {
    return this.#touched.size
  }

  /** Notes a use of `key`; `true` when {@link TOUCH_BATCH} uses are waiting. */
  touch(key: string, stored: Buffer): boolean {
    this.#touched.delete(key)
    this.#touched.set(key, stored)
    return this.#touched.size >= TOUCH_BATCH
  }

  /** Forgets the uses of keys starting with `prefix` (they were removed). */
  forget(prefix: string, exact: boolean): void {
    if (exact) {
      this.#touched.delete(prefix)
      return
    }
    for (const key of this.#touched.keys()) if (key.startsWith(prefix)) this.#touched.delete(key)
  }

  /** Drops pending uses (recency is a hint; a failed write must not fail a read). */
  drop(): void {
    this.#touched.clear()
  }

  /**
   * Inside a write transaction: gives every pending use a `last_used` tick after the
   * newest in the table, oldest first, and returns the last tick given.
   */
  record(sql: TierStatements): number {
    let tick = (sql.lastTick.get() as { tick: number }).tick
    for (const stored of this.#touched.values()) sql.touch.run(++tick, stored)
    this.#touched.clear()
    return tick
  }
}
