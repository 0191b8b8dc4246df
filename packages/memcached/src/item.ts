import type { ClearLog } from './clear-log.js'
import { clearedAfter } from './clear-log.js'

/**
 * An item as stored: a 21-byte header, then the value.
 *
 * | bytes | field                                                  |
 * | ----- | ------------------------------------------------------ |
 * | 0     | format version (1)                                     |
 * | 1–8   | id of the clear log it was written under               |
 * | 9–12  | that log's sequence at write time                      |
 * | 13–20 | `expiresAt`, float64 epoch ms (`Infinity` for never)   |
 */
export interface Item {
  readonly logId: Buffer
  readonly stamp: number
  readonly expiresAt: number
  readonly value: Buffer
}

const VERSION = 1
export const ITEM_HEADER_BYTES = 21

export function encodeItem(log: ClearLog, expiresAt: number, value: Uint8Array): Buffer {
  const buffer = Buffer.alloc(ITEM_HEADER_BYTES + value.byteLength)
  buffer.writeUInt8(VERSION, 0)
  log.id.copy(buffer, 1)
  buffer.writeUInt32BE(log.seq, 9)
  buffer.writeDoubleBE(expiresAt, 13)
  buffer.set(value, ITEM_HEADER_BYTES)
  return buffer
}

/** Parses a stored item; `undefined` for a foreign or corrupt one (a miss). */
export function decodeItem(buffer: Buffer): Item | undefined {
  if (buffer.length < ITEM_HEADER_BYTES || buffer.readUInt8(0) !== VERSION) return undefined
  return {
    logId: buffer.subarray(1, 9),
    stamp: buffer.readUInt32BE(9),
    expiresAt: buffer.readDoubleBE(13),
    value: buffer.subarray(ITEM_HEADER_BYTES),
  }
}

/**
 * The value of the item `stored` under `key` if it is live: written under the server's
 * current clear `log`, not cleared since, and not past its expiry (to the millisecond);
 * else `undefined`, also for a foreign or corrupt item. Reads the header in place (this
 * runs on every hit).
 */
export function liveValue(
  stored: Buffer,
  log: ClearLog | undefined,
  key: string,
  now: number,
): Buffer | undefined {
  if (log === undefined || stored.length < ITEM_HEADER_BYTES || stored[0] !== VERSION) {
    return undefined
  }
  const id = log.id
  for (let i = 0; i < 8; i++) if (stored[1 + i] !== id[i]) return undefined
  if (!(stored.readDoubleBE(13) > now) || clearedAfter(log, key, stored.readUInt32BE(9))) {
    return undefined
  }
  return stored.subarray(ITEM_HEADER_BYTES)
}

/** Whether an item stamped with `stamped` is still visible under the server's `current` log. */
export function stampHolds(current: ClearLog, stamped: ClearLog, key: string): boolean {
  return current.id.equals(stamped.id) && !clearedAfter(current, key, stamped.seq)
}
