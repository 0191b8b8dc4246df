import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib'
import type { CacheEntry } from './entry.js'
import { NO_TAGS } from './entry.js'
import { DecodeError, SerializationError } from './errors.js'
import type { Serializer } from './serializer.js'

/**
 * The envelope: how core writes an entry to a remote store (DESIGN §3).
 *
 * ```text
 * offset size  field
 * 0      1     magic 0xCE
 * 1      1     format version (1)
 * 2      1     flags: bits 0-3 serializer id, bit 4 payload deflated
 * 3      1     reserved (0)
 * 4      4     CRC-32 of every other byte (0-3, then 8 to the end), uint32 LE
 * 8      8     createdAt   float64 LE, epoch ms
 * 16     8     freshUntil  float64 LE (Infinity = never)
 * 24     8     staleUntil  float64 LE (Infinity = never)
 * 32     4     loadTime    float32 LE, ms the loader took (0 = unknown)
 * 36     2     tag count   uint16 LE
 * 38     ...   per tag: uint16 LE byte length + UTF-8 bytes
 * ...    ...   payload (serializer output, maybe deflated)
 * ```
 *
 * The checksum is what makes "a corrupt entry is a miss, never a wrong value" hold
 * even for a flipped bit inside a number, which no serializer would notice.
 */
export const ENVELOPE_VERSION = 1

const MAGIC = 0xce
const FIXED_HEADER_BYTES = 38
const DEFLATED = 0x10
const SERIALIZER_MASK = 0x0f
const MAX_TAG_BYTES = 0xffff

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

/** How an envelope's payload is encoded. */
export interface EnvelopeCodecOptions {
  readonly serializer: Serializer
  /** Payloads of at least this many bytes are deflated; `Infinity` disables compression. */
  readonly compressThreshold: number
}

/** Encodes entries into envelopes and back, for one serializer. */
export class EnvelopeCodec {
  readonly #serializer: Serializer
  readonly #compressThreshold: number

  constructor(options: EnvelopeCodecOptions) {
    this.#serializer = options.serializer
    this.#compressThreshold = options.compressThreshold
  }

  /** Throws `SerializationError` naming `key` when the value cannot be encoded. */
  encode(key: string, entry: CacheEntry): Uint8Array {
    let payload: Uint8Array
    try {
      payload = this.#serializer.serialize(entry.value)
    } catch (error) {
      throw new SerializationError(
        `cannot serialize the value for key "${key}" with ${this.#serializer.name}: ${(error as Error).message}`,
        key,
        error,
      )
    }
    let flags = this.#serializer.id & SERIALIZER_MASK
    if (payload.byteLength >= this.#compressThreshold) {
      payload = deflateRawSync(payload)
      flags |= DEFLATED
    }
    const tagBytes = entry.tags.map((tag) => encoder.encode(tag))
    let size = FIXED_HEADER_BYTES + payload.byteLength
    for (const bytes of tagBytes) {
      if (bytes.byteLength > MAX_TAG_BYTES) {
        throw new SerializationError(
          `a tag of key "${key}" is longer than ${MAX_TAG_BYTES} bytes`,
          key,
        )
      }
      size += 2 + bytes.byteLength
    }
    const out = new Uint8Array(size)
    const view = new DataView(out.buffer)
    out[0] = MAGIC
    out[1] = ENVELOPE_VERSION
    out[2] = flags
    view.setFloat64(8, entry.createdAt, true)
    view.setFloat64(16, entry.freshUntil, true)
    view.setFloat64(24, entry.staleUntil, true)
    view.setFloat32(32, entry.loadTime ?? 0, true)
    view.setUint16(36, tagBytes.length, true)
    let offset = FIXED_HEADER_BYTES
    for (const bytes of tagBytes) {
      view.setUint16(offset, bytes.byteLength, true)
      out.set(bytes, offset + 2)
      offset += 2 + bytes.byteLength
    }
    out.set(payload, offset)
    view.setUint32(4, checksum(out), true)
    return out
  }

  /** Throws `DecodeError` naming `key` for corrupt, truncated or foreign bytes. */
  decode(key: string, bytes: Uint8Array): CacheEntry {
    if (bytes.byteLength < FIXED_HEADER_BYTES || bytes[0] !== MAGIC) {
      throw new DecodeError(`stored bytes for key "${key}" are not a @stack envelope`, key)
    }
    if (bytes[1] !== ENVELOPE_VERSION) {
      throw new DecodeError(
        `stored entry for key "${key}" has envelope version ${bytes[1]}; this @stack/core reads version ${ENVELOPE_VERSION}`,
        key,
      )
    }
    const flags = bytes[2] as number
    if ((flags & SERIALIZER_MASK) !== this.#serializer.id) {
      throw new DecodeError(
        `stored entry for key "${key}" was written by serializer #${flags & SERIALIZER_MASK}; this cache uses ${this.#serializer.name} (#${this.#serializer.id})`,
        key,
      )
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    if (view.getUint32(4, true) !== checksum(bytes)) {
      throw new DecodeError(`stored entry for key "${key}" is corrupt (checksum mismatch)`, key)
    }
    try {
      const tagCount = view.getUint16(36, true)
      let offset = FIXED_HEADER_BYTES
      let tags: readonly string[] = NO_TAGS
      if (tagCount > 0) {
        const list: string[] = []
        for (let i = 0; i < tagCount; i++) {
          const length = view.getUint16(offset, true)
          if (offset + 2 + length > bytes.byteLength) throw new RangeError('tag past the end')
          list.push(decoder.decode(bytes.subarray(offset + 2, offset + 2 + length)))
          offset += 2 + length
        }
        tags = list
      }
      let payload = bytes.subarray(offset)
      if ((flags & DEFLATED) !== 0) payload = inflateRawSync(payload)
      const entry: CacheEntry = {
        value: this.#serializer.deserialize(payload),
        createdAt: view.getFloat64(8, true),
        freshUntil: view.getFloat64(16, true),
        staleUntil: view.getFloat64(24, true),
        tags,
      }
      const loadTime = view.getFloat32(32, true)
      return loadTime > 0 ? { ...entry, loadTime } : entry
    } catch (error) {
      throw new DecodeError(
        `stored entry for key "${key}" is corrupt: ${(error as Error).message}`,
        key,
        error,
      )
    }
  }
}

function checksum(envelope: Uint8Array): number {
  return crc32(envelope.subarray(8), crc32(envelope.subarray(0, 4)))
}
