/** A snapshot of a memory tier's counters. */
export interface MemoryStats {
  /** `get` calls that returned a value. */
  readonly hits: number
  /** `get` calls that found nothing live. */
  readonly misses: number
  /** Entries removed to respect `maxEntries`/`maxBytes`. */
  readonly evictions: number
  /** Entries removed because their expiry passed. */
  readonly expirations: number
  /** Entries held now (may include expired ones not swept yet). */
  readonly entries: number
  /** Bytes held now, as measured by `sizeOf` (0 when nothing is measured). */
  readonly bytes: number
}
