import { createHash, randomBytes } from 'node:crypto'

/**
 * memcached cannot list keys, so `clear(prefix)` cannot find what to delete. Instead each
 * server holds a small *clear log* under a reserved key, and every item records which
 * log it was written under and that log's sequence number at the time:
 *
 * - `clear('')` replaces the log with a fresh one (new random `id`): every older item
 *   is dead at once, whatever its key.
 * - `clear(prefix)` bumps the sequence and records `(prefix length, prefix hash) → seq`;
 *   an item whose key starts with that prefix and whose sequence is older is dead.
 *
 * Reads fetch the item and its server's log in one pipelined round trip and hide dead
 * items. A log that is missing (evicted, server restarted) is recreated with a new id,
 * which hides every older item: losing the log can only clear too much, never revive.
 * Recording a prefix again replaces its entry, so the log grows only with distinct
 * prefixes; past `maxEntries` it is replaced by a fresh log (a full clear).
 */
export interface ClearLog {
  /** 8 random bytes naming this log. */
  readonly id: Buffer
  /** Sequence of the latest clear. */
  readonly seq: number
  /** `prefix length (UTF-16 units) → prefix hash (hex) → seq of its latest clear`. */
  readonly entries: ReadonlyMap<number, ReadonlyMap<string, number>>
  readonly size: number
}

const VERSION = 1
const HEADER_BYTES = 1 + 8 + 4 + 4
const ENTRY_BYTES = 4 + 4 + 16

/** A fresh, empty log. */
export function newLog(): ClearLog {
  return { id: randomBytes(8), seq: 0, entries: new Map(), size: 0 }
}

/** The log with a clear of `prefix` (non-empty) recorded, or a fresh log past `maxEntries`. */
export function withClear(log: ClearLog, prefix: string, maxEntries: number): ClearLog {
  const seq = log.seq + 1
  const hash = prefixHash(prefix)
  const entries = new Map([...log.entries].map(([length, byHash]) => [length, new Map(byHash)]))
  const existing = entries.get(prefix.length)?.has(hash) === true
  if (!existing && log.size >= maxEntries) return newLog()
  const byHash = entries.get(prefix.length) ?? new Map<string, number>()
  byHash.set(hash, seq)
  entries.set(prefix.length, byHash)
  return { id: log.id, seq, entries, size: existing ? log.size : log.size + 1 }
}

/** Whether a clear recorded after `stamp` covers `key`. */
export function clearedAfter(log: ClearLog, key: string, stamp: number): boolean {
  if (stamp >= log.seq) return false
  for (const [length, byHash] of log.entries) {
    if (length > key.length) continue
    const seq = byHash.get(prefixHash(key.slice(0, length)))
    if (seq !== undefined && seq > stamp) return true
  }
  return false
}

export function encodeLog(log: ClearLog): Buffer {
  const buffer = Buffer.alloc(HEADER_BYTES + log.size * ENTRY_BYTES)
  buffer.writeUInt8(VERSION, 0)
  log.id.copy(buffer, 1)
  buffer.writeUInt32BE(log.seq, 9)
  buffer.writeUInt32BE(log.size, 13)
  let offset = HEADER_BYTES
  for (const [length, byHash] of log.entries) {
    for (const [hash, seq] of byHash) {
      buffer.writeUInt32BE(seq, offset)
      buffer.writeUInt32BE(length, offset + 4)
      buffer.write(hash, offset + 8, 'hex')
      offset += ENTRY_BYTES
    }
  }
  return buffer
}

/** Parses a stored log; `undefined` for anything malformed (treated as a missing log). */
export function decodeLog(buffer: Buffer): ClearLog | undefined {
  if (buffer.length < HEADER_BYTES || buffer.readUInt8(0) !== VERSION) return undefined
  const size = buffer.readUInt32BE(13)
  if (buffer.length !== HEADER_BYTES + size * ENTRY_BYTES) return undefined
  const entries = new Map<number, Map<string, number>>()
  for (let offset = HEADER_BYTES; offset < buffer.length; offset += ENTRY_BYTES) {
    const length = buffer.readUInt32BE(offset + 4)
    const byHash = entries.get(length) ?? new Map<string, number>()
    byHash.set(
      buffer.toString('hex', offset + 8, offset + ENTRY_BYTES),
      buffer.readUInt32BE(offset),
    )
    entries.set(length, byHash)
  }
  return { id: Buffer.from(buffer.subarray(1, 9)), seq: buffer.readUInt32BE(9), entries, size }
}

/** 128 bits of SHA-256 over the prefix' UTF-16 code units (exact for any string). */
function prefixHash(prefix: string): string {
  return createHash('sha256').update(prefix, 'utf16le').digest('hex').slice(0, 32)
}
