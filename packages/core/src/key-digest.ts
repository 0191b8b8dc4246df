import { createHash, hash } from 'node:crypto'
import { isWellFormedUnicode } from './store-kit/validate.js'

/** Bytes of {@link keyDigest}: SHA-256 truncated to 128 bits. */
export const KEY_DIGEST_BYTES = 16

/**
 * Digests of recently used keys. Every remote read and write needs the digest of its
 * key, and SHA-256 was the largest single cost of decoding a batch; hot keys come back
 * far more often than new ones. Bounded in count and key length; starts over when full.
 */
const remembered = new Map<string, Uint8Array>()
const REMEMBERED_DIGESTS = 10_000
const REMEMBERED_KEY_LENGTH = 256

/** UTF-8 never contains 0xFF, so this prefix keeps the two encodings below disjoint. */
const UTF16_MARKER = new Uint8Array([0xff])

/**
 * A 16-byte digest that identifies `key` exactly: distinct keys (including keys that
 * differ only by a lone surrogate, which UTF-8 cannot represent) get distinct digests
 * up to SHA-256's collision resistance. The envelope stores it to bind an entry to the
 * key it was written for. The bytes returned may be shared: never modify them.
 *
 * @example
 * ```ts
 * keyDigest('user:1').byteLength // 16
 * ```
 */
export function keyDigest(key: string): Uint8Array {
  const known = remembered.get(key)
  if (known !== undefined) return known
  const digest = computeDigest(key)
  if (key.length <= REMEMBERED_KEY_LENGTH) {
    if (remembered.size >= REMEMBERED_DIGESTS) remembered.clear()
    remembered.set(key, digest)
  }
  return digest
}

function computeDigest(key: string): Uint8Array {
  const full = isWellFormedUnicode(key)
    ? hash('sha256', key, 'buffer')
    : createHash('sha256').update(UTF16_MARKER).update(key, 'utf16le').digest()
  return full.subarray(0, KEY_DIGEST_BYTES)
}
