import { checksumSkippingOwnField, readFloat64LE, readUint32LE } from '../checksum.js'

/**
 * The stored form of a tag timestamp: as checked as an entry's envelope, so that a
 * corrupt or foreign record is detected instead of disabling a tag (`NaN`) or killing
 * it forever (`+Infinity`).
 *
 * ```text
 * 0  1  magic 0xCF
 * 1  1  version 1
 * 2  2  reserved (0)
 * 4  4  CRC-32 of bytes 0-3 and 8-15, uint32 LE
 * 8  8  timestamp, float64 LE, epoch ms
 * ```
 */
const MAGIC = 0xcf
const VERSION = 1
const RECORD_BYTES = 16

/** How far ahead of this process' clock a timestamp may be (clock skew) before it is corrupt. */
export const MAX_TAG_CLOCK_SKEW = 60_000

export function encodeTagRecord(at: number): Uint8Array {
  const bytes = new Uint8Array(RECORD_BYTES)
  const view = new DataView(bytes.buffer)
  bytes[0] = MAGIC
  bytes[1] = VERSION
  view.setFloat64(8, at, true)
  view.setUint32(4, checksumSkippingOwnField(bytes), true)
  return bytes
}

/**
 * The timestamp in `bytes`, or `undefined` when the record is corrupt, foreign, not
 * finite, or further in the future than clock skew explains.
 */
export function decodeTagRecord(bytes: Uint8Array, now: number): number | undefined {
  if (bytes.byteLength !== RECORD_BYTES || bytes[0] !== MAGIC || bytes[1] !== VERSION) {
    return undefined
  }
  if (readUint32LE(bytes, 4) !== checksumSkippingOwnField(bytes)) return undefined
  const at = readFloat64LE(bytes, 8)
  return Number.isFinite(at) && at <= now + MAX_TAG_CLOCK_SKEW ? at : undefined
}
