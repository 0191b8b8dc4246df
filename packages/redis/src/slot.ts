/** Number of hash slots in a Redis Cluster. */
const SLOT_COUNT = 16_384

const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d

/** CRC16-CCITT (XMODEM: polynomial 0x1021, initial value 0), the checksum Redis Cluster uses. */
const CRC16_TABLE = (() => {
  const table = new Uint16Array(256)
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1
    }
    table[byte] = crc & 0xffff
  }
  return table
})()

function crc16(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0
  for (let i = start; i < end; i++) {
    crc =
      ((crc << 8) ^ (CRC16_TABLE[((crc >> 8) ^ (bytes[i] as number)) & 0xff] as number)) & 0xffff
  }
  return crc
}

/**
 * The Cluster hash slot of a key, as Redis computes it: when the key holds a non-empty
 * `{hash tag}` (the text between the first `{` and the next `}`), only the tag is hashed.
 */
export function hashSlot(key: Uint8Array): number {
  let start = 0
  let end = key.length
  const open = key.indexOf(OPEN_BRACE)
  if (open !== -1) {
    const close = key.indexOf(CLOSE_BRACE, open + 1)
    if (close > open + 1) {
      start = open + 1
      end = close
    }
  }
  return crc16(key, start, end) % SLOT_COUNT
}
