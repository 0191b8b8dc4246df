/** What `SqliteTier.stats()` returns: this handle's counts, and the table's size. */
export interface SqliteTierStats {
  /** Reads of this handle that found a live entry. */
  readonly hits: number
  /** Reads of this handle that found nothing live (corrupt rows included). */
  readonly misses: number
  /** Rows this handle removed to respect `maxEntries`. */
  readonly evictions: number
  /** Expired rows this handle removed. */
  readonly expirations: number
  /** Reads turned into misses by an error (corrupt rows, an unreadable database). */
  readonly errors: number
  /** Rows in the table, written by any process (0 once closed). */
  readonly entries: number
  /** Bytes of the stored envelopes (0 once closed). */
  readonly bytes: number
}
