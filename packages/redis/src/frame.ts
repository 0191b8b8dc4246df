/**
 * How the Redis store lays out stored values, so that a deduplicating store can find the
 * payload digest and the envelope header of what it holds.
 *
 * ```text
 * plain   the value itself, when its first byte is not 0xCF (every envelope starts 0xCE)
 * escaped 0xCF 0x00 value                                   a value starting with 0xCF
 * dedup   0xCF 0x01 sha256(payload)[32] headerLength[4, BE] envelope
 * version 0xCF 0x02 version[8, float64 BE] frame            a setIfNewer write (see conditional.ts)
 * deleted 0xCF 0x03 version[8, float64 BE]                  a deleteIfNewer tombstone: no value
 * ```
 *
 * Values written before this layout are plain, and read as they were unless they start
 * with 0xCF 0x00 or 0xCF 0x01 (core never writes such bytes; see the README).
 */
export const FRAME_MARK = 0xcf
const ESCAPED = 0x00
const DEDUP = 0x01
/** Kind byte of a versioned value. */
export const VERSIONED = 0x02
/** Kind byte of a tombstone. */
export const TOMBSTONE = 0x03
/** Bytes of a versioned frame before the value's own frame: mark, kind, version. */
const VERSION_FRAME_BYTES = 2 + 8
/** Bytes of a dedup frame before the envelope: mark, kind, digest, header length. */
export const DEDUP_FRAME_BYTES = 2 + 32 + 4
/** Bytes of a dedup frame that identify the payload: mark, kind, digest. */
export const DEDUP_PREFIX_BYTES = 2 + 32

/** The bytes to store for a plain write of `value`. */
export function frameValue(value: Buffer): Buffer {
  return value[0] === FRAME_MARK
    ? Buffer.concat([Buffer.from([FRAME_MARK, ESCAPED]), value])
    : value
}

/** `0xCF 0x01` and the payload digest: the part of a dedup frame the Lua script compares. */
export function dedupPrefix(digest: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([FRAME_MARK, DEDUP]), digest])
}

/** The bytes to store for a deduplicating write of an envelope. */
export function frameDedup(prefix: Buffer, headerLength: number, envelope: Buffer): Buffer {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(headerLength)
  return Buffer.concat([prefix, length, envelope])
}

/** The value stored in `stored` (a view, no copy), or `undefined` for a tombstone. */
export function unframe(stored: Buffer): Buffer | undefined {
  if (stored[0] !== FRAME_MARK) return stored
  if (stored[1] === ESCAPED) return stored.subarray(2)
  if (stored[1] === VERSIONED && stored.length >= VERSION_FRAME_BYTES) {
    return unframe(stored.subarray(VERSION_FRAME_BYTES))
  }
  if (stored[1] === TOMBSTONE && stored.length === VERSION_FRAME_BYTES) return undefined
  if (stored[1] === DEDUP && stored.length >= DEDUP_FRAME_BYTES) {
    return stored.subarray(DEDUP_FRAME_BYTES)
  }
  return stored
}

/**
 * The value in a `GET`/`MGET` reply, or `undefined` (no key, or a tombstone). The reply's
 * own `Buffer` (a `Uint8Array`) or a view of it: a plain `Uint8Array` view per value
 * would cost more than the rest of a batch read's own work.
 */
export function storedValue(reply: Buffer | null): Uint8Array | undefined {
  return reply === null ? undefined : unframe(reply)
}
