import { createHash } from 'node:crypto'
import { crc32 } from 'node:zlib'

/** The fields of a hand-made envelope; every one defaults to a valid value. */
export interface ForgedEnvelope {
  readonly version?: number
  readonly flags?: number
  readonly reserved?: number
  /** The key whose digest goes into the header (ignored for version 1). */
  readonly key?: string
  readonly createdAt?: number
  readonly freshUntil?: number
  readonly staleUntil?: number
  readonly loadTime?: number
  readonly tags?: readonly Uint8Array[]
  /** Overrides the tag count written (default: `tags.length`). */
  readonly tagCount?: number
  readonly payload: Uint8Array
}

/**
 * Envelope bytes built by hand, independently of `EnvelopeCodec`, with a correct
 * checksum: what a foreign or hostile writer could store. Version 1 uses the old
 * layout (no key digest).
 */
export function forgeEnvelope(fields: ForgedEnvelope): Uint8Array {
  const version = fields.version ?? 2
  const digestBytes = version === 1 ? 0 : 16
  const tags = fields.tags ?? []
  const headerBytes = 8 + digestBytes + 30
  let size = headerBytes + fields.payload.byteLength
  for (const tag of tags) size += 2 + tag.byteLength
  const out = new Uint8Array(size)
  const view = new DataView(out.buffer)
  out[0] = 0xce
  out[1] = version
  out[2] = fields.flags ?? 2
  out[3] = fields.reserved ?? 0
  if (digestBytes > 0) {
    const digest = createHash('sha256')
      .update(fields.key ?? 'k', 'utf8')
      .digest()
    out.set(digest.subarray(0, 16), 8)
  }
  let offset = 8 + digestBytes
  view.setFloat64(offset, fields.createdAt ?? 1_000, true)
  view.setFloat64(offset + 8, fields.freshUntil ?? 2_000, true)
  view.setFloat64(offset + 16, fields.staleUntil ?? 3_000, true)
  view.setFloat32(offset + 24, fields.loadTime ?? 0, true)
  view.setUint16(offset + 28, fields.tagCount ?? tags.length, true)
  offset = headerBytes
  for (const tag of tags) {
    view.setUint16(offset, tag.byteLength, true)
    out.set(tag, offset + 2)
    offset += 2 + tag.byteLength
  }
  out.set(fields.payload, offset)
  view.setUint32(4, crc32(out.subarray(8), crc32(out.subarray(0, 4))), true)
  return out
}

/** What `action` throws; fails the test when it returns. */
export function thrown(action: () => unknown): unknown {
  try {
    action()
  } catch (error) {
    return error
  }
  throw new Error('expected a throw')
}
