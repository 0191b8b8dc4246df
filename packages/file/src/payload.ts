import { crc32 } from 'node:zlib'

/**
 * Payload files hold the payloads of linked records (see `record.ts`), beside their entry:
 * `<entry name>.<SHA-256 of the payload, hex>.payload`. A payload file is written whole
 * under a temporary name and renamed into place, and never changed afterwards, so a name
 * always means the same bytes: a rewrite of an unchanged value finds its payload file and
 * writes only the small entry record.
 *
 * ```
 * offset  size  field
 *      0     4  magic 'STKP'
 *      4     1  format version (1), then three zero bytes
 *      8     4  payload length in bytes, uint32 LE
 *     12     4  CRC-32 of bytes 0..12 and the payload
 *     16        payload
 * ```
 */
const MAGIC = Buffer.from('STKP', 'latin1')
const VERSION = 1
const FIXED_BYTES = 16
const PAYLOAD_NAME = /^([0-9a-f]{64})\.([0-9a-f]{64})\.payload$/

/** The payload file of `digest` (hex) beside the entry file `entryFile`. */
export function payloadPath(entryFile: string, digestHex: string): string {
  return `${entryFile}.${digestHex}.payload`
}

/** The entry name and payload digest (hex) of a payload file name, or `undefined`. */
export function parsePayloadName(
  name: string,
): { readonly entry: string; readonly digest: string } | undefined {
  const match = PAYLOAD_NAME.exec(name)
  return match ? { entry: match[1] as string, digest: match[2] as string } : undefined
}

/** The size a payload file of `payloadBytes` bytes has. */
export function payloadFileBytes(payloadBytes: number): number {
  return FIXED_BYTES + payloadBytes
}

/** The contents of a payload file. */
export function encodePayload(payload: Uint8Array): Buffer {
  const file = Buffer.allocUnsafe(FIXED_BYTES + payload.byteLength)
  MAGIC.copy(file, 0)
  file.writeUInt32LE(VERSION, 4)
  file.writeUInt32LE(payload.byteLength, 8)
  file.set(payload, FIXED_BYTES)
  file.writeUInt32LE(checksum(file), 12)
  return file
}

/** The payload in a payload file's bytes (a view), or `undefined` when they are corrupt. */
export function decodePayload(file: Buffer): Buffer | undefined {
  if (file.length < FIXED_BYTES || !MAGIC.equals(file.subarray(0, 4))) return undefined
  if (file.readUInt32LE(4) !== VERSION) return undefined
  if (file.readUInt32LE(8) !== file.length - FIXED_BYTES) return undefined
  if (file.readUInt32LE(12) !== checksum(file)) return undefined
  return file.subarray(FIXED_BYTES)
}

function checksum(file: Buffer): number {
  return crc32(file.subarray(FIXED_BYTES), crc32(file.subarray(0, 12)))
}
