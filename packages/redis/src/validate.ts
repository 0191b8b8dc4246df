import { InvalidKeyError, InvalidOptionError, ValueTooLargeError } from '@stack/core'
import { assertPrefix } from '@stack/core/store-kit'

/** Largest string value Redis accepts (its default `proto-max-bulk-len`). */
export const REDIS_MAX_VALUE_BYTES = 512 * 1024 * 1024

const LONE_SURROGATE = /\p{Cs}/u

/**
 * Checks a cache key. Keys are stored as their UTF-8 bytes, so a string with a lone
 * UTF-16 surrogate (which has no UTF-8 form and would collide with U+FFFD) is refused.
 */
export function checkKey(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0) {
    throw new InvalidKeyError(`key must be a non-empty string, got ${describe(key)}`)
  }
  if (LONE_SURROGATE.test(key)) {
    throw new InvalidKeyError(`key "${key}" contains a lone UTF-16 surrogate`, key)
  }
  return key
}

/**
 * Checks a `clear`/`keys` prefix: any well-formed string, `''` meaning all of the store's
 * keys; anything else throws `InvalidOptionError` naming `prefix`.
 */
export function checkPrefix(prefix: unknown): string {
  assertPrefix(prefix, { wellFormed: true })
  return prefix
}

/** The value as a Buffer sharing its memory, after checking its type and size. */
export function checkValue(key: string, value: unknown, maxBytes: number): Buffer {
  if (!(value instanceof Uint8Array)) {
    throw new InvalidOptionError('value', `value for key "${key}" must be a Uint8Array`)
  }
  if (value.byteLength > maxBytes) throw new ValueTooLargeError(key, value.byteLength, maxBytes)
  return Buffer.isBuffer(value)
    ? value
    : Buffer.from(value.buffer, value.byteOffset, value.byteLength)
}

/** What a write's `expiresAt` asks for: keep forever, drop now, or expire at an epoch ms. */
export type Expiry = 'never' | 'past' | number

/**
 * Reads an absolute expiry in epoch ms and gives the `PXAT` to write. Fractions round up
 * (never expire early). Redis keeps a key while `now <= PXAT`, and the contract only
 * while `now < expiresAt`, so the `PXAT` is one millisecond earlier. `Infinity` and
 * times beyond `Number.MAX_SAFE_INTEGER` mean no expiry.
 */
export function checkExpiry(key: string, expiresAt: unknown, now: number): Expiry {
  if (typeof expiresAt !== 'number' || Number.isNaN(expiresAt)) {
    throw new InvalidOptionError(
      'expiresAt',
      `expiresAt for key "${key}" must be epoch milliseconds or Infinity, got ${describe(expiresAt)}`,
    )
  }
  if (expiresAt > Number.MAX_SAFE_INTEGER) return 'never'
  if (expiresAt <= now) return 'past'
  return Math.ceil(expiresAt) - 1
}

function describe(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : `${typeof value} ${String(value)}`
}
