import { hash } from 'node:crypto'
import { InvalidKeyError, InvalidOptionError, type StoreWrite } from '@stack/core'
import { encodeText } from './key-codec.js'

/**
 * A key as stored: the escaped text (for prefix matching and reading back) and the
 * SHA-256 of that text, the primary key, so a key of any length fits a btree index.
 */
export interface StoredKey {
  readonly text: string
  readonly hash: Buffer
  /** {@link hash} in hex, as array parameters carry it. */
  readonly hashHex: string
}

/**
 * Stored forms of recently used keys: hashing and hex-encoding were most of a batch
 * read's own work, and hot keys come back far more often than new ones. Bounded in count
 * and key length; starts over when full.
 */
const remembered = new Map<string, StoredKey>()
const REMEMBERED_KEYS = 10_000
const REMEMBERED_KEY_LENGTH = 256

/** Validates `key` and derives its stored form; throws `InvalidKeyError`. */
export function storedKey(key: string): StoredKey {
  const known = remembered.get(key)
  if (known !== undefined) return known
  if (typeof key !== 'string' || key.length === 0) {
    throw new InvalidKeyError(
      `key must be a non-empty string, got ${typeof key === 'string' ? 'an empty string' : typeof key}`,
      typeof key === 'string' ? key : undefined,
    )
  }
  const text = encodeText(key)
  const digest = hash('sha256', text, 'buffer')
  const stored: StoredKey = { text, hash: digest, hashHex: digest.toString('hex') }
  if (key.length <= REMEMBERED_KEY_LENGTH) {
    if (remembered.size >= REMEMBERED_KEYS) remembered.clear()
    remembered.set(key, stored)
  }
  return stored
}

/**
 * Bytes as hex, for array parameters decoded with `decode(x, 'hex')` in SQL: postgres.js
 * has no `bytea[]` parameter type of its own.
 */
export function hex(bytes: Uint8Array): string {
  return toBuffer(bytes).toString('hex')
}

/** `expires_at` for `expiresAt`: `null` for never, whole ms rounded up, or `'past'`. */
export function expiryColumn(expiresAt: number): number | null | 'past' {
  if (typeof expiresAt !== 'number' || Number.isNaN(expiresAt)) {
    throw new InvalidOptionError(
      'expiresAt',
      `expiresAt must be epoch ms or Infinity, got ${String(expiresAt)}`,
    )
  }
  if (expiresAt === Number.POSITIVE_INFINITY) return null
  return expiresAt <= Date.now() ? 'past' : Math.ceil(expiresAt)
}

/** `value` as a Buffer (no copy); anything but a `Uint8Array` is an `InvalidOptionError`. */
export function toBuffer(value: Uint8Array): Buffer {
  if (!(value instanceof Uint8Array)) {
    throw new InvalidOptionError('value', `value must be a Uint8Array, got ${typeof value}`)
  }
  return Buffer.isBuffer(value)
    ? value
    : Buffer.from(value.buffer, value.byteOffset, value.byteLength)
}

/** The distinct keys' hashes in {@link hex}. */
export function hashesHex(keys: readonly StoredKey[]): string[] {
  return [...new Set(keys.map((key) => key.hashHex))]
}

/** Columns of a batch upsert, one array per column, for `unnest`. */
export interface BatchColumns {
  readonly hashes: string[]
  readonly keys: string[]
  readonly values: string[]
  readonly expiries: (number | null)[]
}

/**
 * Batch writes deduplicated (the last write of a key wins, as one statement cannot
 * upsert a row twice) and split into upsert columns and the hashes to delete.
 */
export function splitWrites(entries: readonly StoreWrite[]): {
  upserts: BatchColumns
  deletions: string[]
} {
  const last = new Map<string, { key: StoredKey; entry: StoreWrite }>()
  for (const entry of entries) {
    const key = storedKey(entry.key)
    last.set(key.text, { key, entry })
  }
  const upserts: BatchColumns = { hashes: [], keys: [], values: [], expiries: [] }
  const deletions: string[] = []
  for (const { key, entry } of last.values()) {
    const expires = expiryColumn(entry.expiresAt)
    if (expires === 'past') {
      deletions.push(key.hashHex)
      continue
    }
    upserts.hashes.push(key.hashHex)
    upserts.keys.push(key.text)
    upserts.values.push(hex(entry.value))
    upserts.expiries.push(expires)
  }
  return { upserts, deletions }
}
