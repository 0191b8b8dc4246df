import { NO_EXPIRY } from '../store.js'

/**
 * Names of the user-metadata fields an object store writes with every object (S3 sends
 * them as `x-amz-meta-*`, Cloud Storage as custom `metadata`). The fields describing the
 * body (`encoding`, `sha256`, `key-bytes`) are written with it; a deduplicating store
 * rewrites `header` and `expires-at` alone, on the condition that the body is unchanged.
 */
export const OBJECT_METADATA = {
  /** Absolute expiry in epoch ms; absent for "never". */
  expiresAt: 'expires-at',
  /** `gzip` or `br` when the body is compressed. */
  encoding: 'encoding',
  /**
   * Base64 SHA-256 of the uncompressed value (of the envelope payload when `header` is
   * set), when the store dedupes writes.
   */
  sha256: 'sha256',
  /**
   * Base64 of the envelope header when the body holds only the envelope's payload (a
   * deduplicating store's layout): the value read back is this header, then the body.
   */
  header: 'envelope-header',
  /** For hashed names: UTF-8 length of the original key, which leads the body. */
  keyBytes: 'key-bytes',
} as const

/**
 * The stored form of an expiry: epoch ms as a string, `undefined` (no field) for "never".
 *
 * @example
 * ```ts
 * formatObjectExpiry(1_700_000_000_000) // '1700000000000'
 * formatObjectExpiry(Infinity) // undefined
 * ```
 */
export function formatObjectExpiry(expiresAt: number): string | undefined {
  return expiresAt === NO_EXPIRY ? undefined : String(expiresAt)
}

/**
 * Reads a stored expiry; `Infinity` when absent or unreadable (an object written without
 * one never expires by itself).
 *
 * @example
 * ```ts
 * parseObjectExpiry(metadata[OBJECT_METADATA.expiresAt]) // epoch ms, or Infinity
 * ```
 */
export function parseObjectExpiry(field: string | undefined): number {
  if (field === undefined || field === '') return NO_EXPIRY
  const expiresAt = Number(field)
  return Number.isNaN(expiresAt) ? NO_EXPIRY : expiresAt
}

/**
 * Whether an absolute expiry has passed: an entry is dead from its `expiresAt` on.
 *
 * @example
 * ```ts
 * if (isExpired(head.expiresAt)) return undefined // a miss
 * ```
 */
export function isExpired(expiresAt: number, now = Date.now()): boolean {
  return expiresAt <= now
}

/**
 * The UTF-8 length of the key leading a hashed object's body, from its metadata, or
 * `undefined` when the field is missing or malformed (not an object the store wrote).
 *
 * @example
 * ```ts
 * const length = hashedKeyLength(metadata)
 * const key = length && readObjectKeyFrame(await readFirstBytes(name, length), length)
 * ```
 */
export function hashedKeyLength(metadata: Readonly<Record<string, string>>): number | undefined {
  const length = Number(metadata[OBJECT_METADATA.keyBytes])
  return Number.isSafeInteger(length) && length > 0 ? length : undefined
}
