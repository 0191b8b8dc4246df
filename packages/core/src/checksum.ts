import { crc32 } from 'node:zlib'

/**
 * CRC-32 (IEEE, as zlib computes it) of a record's bytes except bytes 4–7, where the
 * record keeps the checksum itself: bytes 0–3, then 8 to the end. Envelopes and tag
 * records use it.
 *
 * Most cache entries are small, and a call into zlib costs a fixed ~100 ns before its
 * first byte: below {@link NATIVE_FROM} bytes a table-driven loop here is 2–3× faster;
 * above it zlib's vectorised code wins.
 *
 * @example
 * ```ts
 * checksumSkippingOwnField(record) === readUint32LE(record, 4) // the record is intact
 * ```
 */
export function checksumSkippingOwnField(record: Uint8Array): number {
  let crc = ~0
  for (let i = 0; i < 4; i++) crc = crcByte(crc, record[i] as number)
  if (record.byteLength - 8 >= NATIVE_FROM) return crc32(bytesView(record, 8), ~crc >>> 0)
  return ~crcFrom(record, 8, crc) >>> 0
}

/** Bytes past which zlib's crc32 is faster than {@link crcFrom} (measured: ~160). */
const NATIVE_FROM = 160

/**
 * Slicing-by-4 tables: `TABLES[k * 256 + b]` is the CRC of byte `b` followed by `k`
 * zero bytes, so four input bytes fold in with four lookups.
 */
const TABLES = buildTables()

function buildTables(): Int32Array {
  const tables = new Int32Array(4 * 256)
  for (let byte = 0; byte < 256; byte++) {
    let value = byte
    for (let bit = 0; bit < 8; bit++) value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1
    tables[byte] = value
  }
  for (let k = 1; k < 4; k++) {
    for (let byte = 0; byte < 256; byte++) {
      const previous = tables[(k - 1) * 256 + byte] as number
      tables[k * 256 + byte] = (previous >>> 8) ^ (tables[previous & 0xff] as number)
    }
  }
  return tables
}

function crcByte(crc: number, byte: number): number {
  return (TABLES[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8)
}

/** Folds `bytes[from..]` into the running (inverted) `crc`. */
function crcFrom(bytes: Uint8Array, from: number, running: number): number {
  let crc = running
  let i = from
  const end = bytes.byteLength
  for (; i + 4 <= end; i += 4) {
    crc ^=
      (bytes[i] as number) |
      ((bytes[i + 1] as number) << 8) |
      ((bytes[i + 2] as number) << 16) |
      ((bytes[i + 3] as number) << 24)
    crc =
      (TABLES[768 + (crc & 0xff)] as number) ^
      (TABLES[512 + ((crc >>> 8) & 0xff)] as number) ^
      (TABLES[256 + ((crc >>> 16) & 0xff)] as number) ^
      (TABLES[crc >>> 24] as number)
  }
  for (; i < end; i++) crc = crcByte(crc, bytes[i] as number)
  return crc
}

/** Reads a little-endian uint32 without a `DataView` (which allocates). */
export function readUint32LE(bytes: Uint8Array, offset: number): number {
  return (
    ((bytes[offset] as number) |
      ((bytes[offset + 1] as number) << 8) |
      ((bytes[offset + 2] as number) << 16) |
      ((bytes[offset + 3] as number) << 24)) >>>
    0
  )
}

const scratch = new Float64Array(1)
const scratchBytes = new Uint8Array(scratch.buffer)
const scratch32 = new Float32Array(scratch.buffer, 0, 1)
/** Whether this platform stores floats little-endian (every platform Node ships on, in practice). */
const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f

/** Reads a little-endian float64 at `offset` without allocating a `DataView`. */
export function readFloat64LE(bytes: Uint8Array, offset: number): number {
  for (let i = 0; i < 8; i++) {
    scratchBytes[LITTLE_ENDIAN ? i : 7 - i] = bytes[offset + i] as number
  }
  return scratch[0] as number
}

/** Reads a little-endian float32 at `offset` without allocating a `DataView`. */
export function readFloat32LE(bytes: Uint8Array, offset: number): number {
  for (let i = 0; i < 4; i++) {
    scratchBytes[LITTLE_ENDIAN ? i : 3 - i] = bytes[offset + i] as number
  }
  return scratch32[0] as number
}

/**
 * `bytes[start..end)` as a plain `Uint8Array` view. On a `Buffer` (what most clients
 * return), `subarray` looks up the species constructor and builds a `Buffer`, several
 * times the cost of this on a hot path.
 */
export function bytesView(bytes: Uint8Array, start: number, end = bytes.byteLength): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset + start, end - start)
}
