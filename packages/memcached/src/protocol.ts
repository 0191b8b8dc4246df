/**
 * The few memcached binary-protocol requests this store sends itself (memjs' own
 * methods hide the CAS value, which `add` over a dead entry and the clear log need).
 */

export const Opcode = {
  get: 0x00,
  set: 0x01,
  add: 0x02,
  delete: 0x04,
  /** Quiet get: the server answers a hit only (without its key), never a miss. */
  getq: 0x09,
  noop: 0x0a,
  /** Quiet get-with-key: the server answers hits only (with their key), never misses. */
  getkq: 0x0d,
  /** Statistics: one reply per name (the key) and value, then an empty one. */
  stat: 0x10,
} as const

export const Status = {
  ok: 0x00,
  notFound: 0x01,
  exists: 0x02,
  tooLarge: 0x03,
  notStored: 0x05,
} as const

export interface Request {
  readonly opcode: number
  readonly key: string
  readonly extras?: Buffer
  readonly value?: Uint8Array
  /** Compare-and-swap: the write only happens when the item's CAS value is still this. */
  readonly cas?: Buffer
}

/** A response as memjs parses it. */
export interface Reply {
  readonly status: number
  readonly value: Buffer
  readonly cas: Buffer
}

const HEADER_BYTES = 24
const REQUEST_MAGIC = 0x80
const EMPTY = Buffer.alloc(0)

/** Encodes `request` with `opaque` (memjs' sequence number, which routes the reply). */
export function encodeRequest(request: Request, opaque: number): Buffer {
  const key = Buffer.from(request.key)
  const extras = request.extras ?? EMPTY
  const value = request.value ?? EMPTY
  const body = extras.length + key.length + value.length
  const buffer = Buffer.alloc(HEADER_BYTES + body)
  buffer.writeUInt8(REQUEST_MAGIC, 0)
  buffer.writeUInt8(request.opcode, 1)
  buffer.writeUInt16BE(key.length, 2)
  buffer.writeUInt8(extras.length, 4)
  buffer.writeUInt32BE(body, 8)
  buffer.writeUInt32BE(opaque >>> 0, 12)
  request.cas?.copy(buffer, 16)
  extras.copy(buffer, HEADER_BYTES)
  key.copy(buffer, HEADER_BYTES + extras.length)
  buffer.set(value, HEADER_BYTES + extras.length + key.length)
  return buffer
}

/**
 * A pair read: GETQ `first`, GETKQ `second` and a NOOP, all under `opaque`, in one buffer,
 * so two reads leave in one write and come back in one reply (the hits, told apart by
 * their opcode, then the NOOP's). Everything after `first` is the same for every pair
 * but the opaque, so it is built once ({@link pairTail}) and copied.
 */
export function encodeGetPair(first: string, tail: Buffer, opaque: number): Buffer {
  const firstBytes = Buffer.byteLength(first)
  const at = HEADER_BYTES + firstBytes
  const buffer = Buffer.allocUnsafe(at + tail.length)
  buffer.set(GETQ_HEADER, 0)
  buffer.writeUInt16BE(firstBytes, 2)
  buffer.writeUInt32BE(firstBytes, 8)
  buffer.writeUInt32BE(opaque >>> 0, 12)
  buffer.write(first, HEADER_BYTES)
  buffer.set(tail, at)
  buffer.writeUInt32BE(opaque >>> 0, at + 12)
  buffer.writeUInt32BE(opaque >>> 0, buffer.length - HEADER_BYTES + 12)
  return buffer
}

/** The part of every pair read after its first key: GETKQ `second`, then a NOOP. */
export function pairTail(second: string): Buffer {
  return Buffer.concat([
    encodeRequest({ opcode: Opcode.getkq, key: second }, 0),
    encodeRequest({ opcode: Opcode.noop, key: '' }, 0),
  ])
}

const GETQ_HEADER = encodeRequest({ opcode: Opcode.getq, key: '' }, 0)

/** SET/ADD extras: no flags, and `exptime` as memcached reads it (see `expiry.ts`). */
export function storageExtras(exptime: number): Buffer {
  const extras = Buffer.alloc(8)
  extras.writeUInt32BE(exptime, 4)
  return extras
}
