import { NO_EXPIRY } from '@stack/core'

/**
 * Custom-metadata fields the store writes on every object (`metadata` in the JSON API).
 * The store never patches metadata, so a field always describes the body it was uploaded with.
 */
export const META = {
  /** Absolute expiry in epoch ms; absent for "never". */
  expiresAt: 'expires-at',
  /** `gzip` or `br` when the payload is compressed. */
  encoding: 'encoding',
  /** Base64 SHA-256 of the uncompressed value, when written with `dedupeWrites`. */
  sha256: 'sha256',
  /** For hashed names: UTF-8 length of the original key, which leads the body. */
  keyBytes: 'key-bytes',
} as const

export function formatExpiry(expiresAt: number): string | undefined {
  return expiresAt === NO_EXPIRY ? undefined : String(expiresAt)
}

/** The stored expiry; `Infinity` when absent or unreadable (an object we did not expire). */
export function parseExpiry(field: string | undefined): number {
  if (field === undefined || field === '') return NO_EXPIRY
  const expiresAt = Number(field)
  return Number.isNaN(expiresAt) ? NO_EXPIRY : expiresAt
}

export function isExpired(expiresAt: number, now = Date.now()): boolean {
  return expiresAt <= now
}
