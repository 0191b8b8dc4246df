import { crc32 } from 'node:zlib'

/**
 * The on-disk format of one entry: a fixed header, the key, then the value.
 *
 * ```
 * offset  size  field
 *      0     4  magic 'STKF'
 *      4     1  format version: 1 (the value is stored here) or 2 (linked, see below)
 *      5     3  reserved, zero
 *      8     8  expiresAt, float64 LE, epoch ms (Infinity for never)
 *     16     4  key length in bytes, uint32 LE
 *     20     4  value length in bytes, uint32 LE
 *     24     4  CRC-32 of bytes 0..24, the key and the value
 *     28        key (UTF-16LE), then value
 * ```
 *
 * The key is kept so that `clear(prefix)` and `keys()` can list entries, and so that a
 * file whose stored key differs from the requested one (a hash collision) reads as a
 * miss. The lengths detect truncation; the checksum detects any other corruption.
 *
 * A **linked** record (version 2, written under `dedupeWrites`) holds an envelope's header
 * only: its value field is the SHA-256 of the envelope's payload (32 bytes), then the
 * header. The payload lives in a payload file beside the entry (see `payload.ts`), named
 * after that digest, so a rewrite of an unchanged value writes this small record alone.
 */

const MAGIC = Buffer.from('STKF', 'latin1')
const VERSION = 1
const LINKED_VERSION = 2
/** Bytes of the payload digest leading a linked record's value. */
export const DIGEST_BYTES = 32
/** Size of the fixed header in bytes. */
export const HEADER_BYTES = 28
/** Largest value the uint32 length field can describe. */
export const MAX_VALUE_BYTES = 0xffff_ffff

/** A header parsed from the first bytes of a file. */
export interface RecordHeader {
  /** A linked record (version 2): the value is a payload digest and an envelope header. */
  readonly linked: boolean
  readonly expiresAt: number
  readonly keyBytes: number
  readonly valueBytes: number
  /** Size the whole file must have. */
  readonly recordBytes: number
}

/** Encodes a key as stored and hashed: UTF-16LE keeps every JavaScript string distinct. */
export function encodeKey(key: string): Buffer {
  return Buffer.from(key, 'utf16le')
}

/** The full file contents for one entry. */
export function encodeRecord(keyBytes: Buffer, value: Uint8Array, expiresAt: number): Buffer {
  return encode(VERSION, keyBytes, value, expiresAt)
}

/** A linked record: `header` is an envelope header whose payload has SHA-256 `digest`. */
export function encodeLinkedRecord(
  keyBytes: Buffer,
  digest: Uint8Array,
  header: Uint8Array,
  expiresAt: number,
): Buffer {
  return encode(LINKED_VERSION, keyBytes, Buffer.concat([digest, header]), expiresAt)
}

function encode(version: number, keyBytes: Buffer, value: Uint8Array, expiresAt: number): Buffer {
  const record = Buffer.allocUnsafe(HEADER_BYTES + keyBytes.length + value.byteLength)
  MAGIC.copy(record, 0)
  record.writeUInt32LE(version, 4) // version byte followed by three zero bytes
  record.writeDoubleLE(expiresAt, 8)
  record.writeUInt32LE(keyBytes.length, 16)
  record.writeUInt32LE(value.byteLength, 20)
  keyBytes.copy(record, HEADER_BYTES)
  record.set(value, HEADER_BYTES + keyBytes.length)
  record.writeUInt32LE(checksum(record), 24)
  return record
}

/** Parses the header, or `undefined` when the bytes are not a version-1 or -2 record header. */
export function decodeHeader(bytes: Buffer): RecordHeader | undefined {
  if (bytes.length < HEADER_BYTES || !MAGIC.equals(bytes.subarray(0, 4))) return undefined
  const version = bytes.readUInt32LE(4)
  if (version !== VERSION && version !== LINKED_VERSION) return undefined
  const linked = version === LINKED_VERSION
  const expiresAt = bytes.readDoubleLE(8)
  const keyBytes = bytes.readUInt32LE(16)
  const valueBytes = bytes.readUInt32LE(20)
  if (Number.isNaN(expiresAt) || keyBytes === 0 || keyBytes % 2 !== 0) return undefined
  if (linked && valueBytes < DIGEST_BYTES) return undefined
  const recordBytes = HEADER_BYTES + keyBytes + valueBytes
  return { linked, expiresAt, keyBytes, valueBytes, recordBytes }
}

/** How a file read for one key turned out. */
export type DecodedRecord =
  | { readonly state: 'live'; readonly value: Uint8Array }
  /** A live linked record: the value is `header` followed by the payload file's bytes. */
  | { readonly state: 'linked'; readonly digest: Buffer; readonly header: Buffer }
  | { readonly state: 'expired' }
  | { readonly state: 'corrupt' }
  /** A valid record of another key whose name hashed alike: a miss, left in place. */
  | { readonly state: 'foreign' }

/** Decodes a whole file read for `keyBytes`. The returned value is a view into `bytes`. */
export function decodeRecord(bytes: Buffer, keyBytes: Buffer, now: number): DecodedRecord {
  const header = decodeHeader(bytes)
  if (header === undefined || bytes.length !== header.recordBytes) return { state: 'corrupt' }
  if (bytes.readUInt32LE(24) !== checksum(bytes)) return { state: 'corrupt' }
  const valueStart = HEADER_BYTES + header.keyBytes
  if (!keyBytes.equals(bytes.subarray(HEADER_BYTES, valueStart))) return { state: 'foreign' }
  if (header.expiresAt <= now) return { state: 'expired' }
  if (header.linked) {
    const value = bytes.subarray(valueStart, header.recordBytes)
    return {
      state: 'linked',
      digest: value.subarray(0, DIGEST_BYTES),
      header: value.subarray(DIGEST_BYTES),
    }
  }
  return {
    state: 'live',
    value: new Uint8Array(bytes.buffer, bytes.byteOffset + valueStart, header.valueBytes),
  }
}

/** `true` when `bytes` is an intact record, of any key, that has not expired at `now`. */
export function isLiveRecord(bytes: Buffer, now: number): boolean {
  const header = decodeHeader(bytes)
  return (
    header !== undefined &&
    bytes.length === header.recordBytes &&
    bytes.readUInt32LE(24) === checksum(bytes) &&
    header.expiresAt > now
  )
}

/** CRC-32 of everything but the checksum field itself. */
function checksum(record: Buffer): number {
  return crc32(record.subarray(HEADER_BYTES), crc32(record.subarray(0, 24)))
}
