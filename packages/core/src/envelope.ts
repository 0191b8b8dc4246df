import { deflateRawSync, inflateRawSync } from 'node:zlib'
import {
  bytesView,
  checksumSkippingOwnField,
  readFloat32LE,
  readFloat64LE,
  readUint32LE,
} from './checksum.js'
import type { CacheEntry } from './entry.js'
import { NO_TAGS } from './entry.js'
import {
  DecodeError,
  InvalidOptionError,
  SerializationError,
  ValueTooLargeError,
} from './errors.js'
import { KEY_DIGEST_BYTES, keyDigest } from './key-digest.js'
import type { Serializer } from './serializer.js'
import { validateTags } from './tag-validation.js'

/**
 * The envelope: how core writes an entry to a remote store (DESIGN §3).
 *
 * ```text
 * offset size  field
 * 0      1     magic 0xCE
 * 1      1     format version (2)
 * 2      1     flags: bits 0-3 serializer id, bit 4 payload deflated, bits 5-7 zero
 * 3      1     reserved (0)
 * 4      4     CRC-32 of every other byte (0-3, then 8 to the end), uint32 LE
 * 8      16    key digest: SHA-256 of the full key the entry was written for, first 16 bytes
 * 24     8     createdAt   float64 LE, epoch ms
 * 32     8     freshUntil  float64 LE (Infinity = never)
 * 40     8     staleUntil  float64 LE (Infinity = never)
 * 48     4     loadTime    float32 LE, ms the loader took (0 = unknown)
 * 52     2     tag count   uint16 LE
 * 54     ...   per tag: uint16 LE byte length + UTF-8 bytes
 * ...    ...   payload (serializer output, maybe deflated)
 * ```
 *
 * The checksum is what makes "a corrupt entry is a miss, never a wrong value" hold
 * even for a flipped bit inside a number, which no serializer would notice; the key
 * digest makes bytes stored under (or returned for) another key a miss too.
 * Version 1 envelopes (no key digest) are refused like any foreign bytes: a counted miss.
 */
export const ENVELOPE_VERSION = 2

/**
 * Default of {@link EnvelopeCodecOptions.maxValueBytes}: 16 MiB of serialized value.
 */
export const DEFAULT_MAX_VALUE_BYTES = 16 * 1024 * 1024

const MAGIC = 0xce
const DIGEST_OFFSET = 8
const CREATED_AT_OFFSET = DIGEST_OFFSET + KEY_DIGEST_BYTES
const FRESH_UNTIL_OFFSET = CREATED_AT_OFFSET + 8
const STALE_UNTIL_OFFSET = FRESH_UNTIL_OFFSET + 8
const LOAD_TIME_OFFSET = STALE_UNTIL_OFFSET + 8
const TAG_COUNT_OFFSET = LOAD_TIME_OFFSET + 4
const FIXED_HEADER_BYTES = TAG_COUNT_OFFSET + 2
const DEFLATED = 0x10
const SERIALIZER_MASK = 0x0f
const UNKNOWN_FLAGS = 0xe0

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

/** How an envelope's payload is encoded. */
export interface EnvelopeCodecOptions {
  readonly serializer: Serializer
  /** Payloads of at least this many bytes are deflated; `Infinity` disables compression. */
  readonly compressThreshold: number
  /**
   * Largest serialized value, in bytes, this codec writes or reads (before deflating /
   * after inflating). A larger value is refused at encode with `ValueTooLargeError`; a
   * stored payload that is, or inflates to, more is a `DecodeError`, and inflation stops
   * at this size, so a deflate bomb costs at most this much memory. Default
   * {@link DEFAULT_MAX_VALUE_BYTES}.
   */
  readonly maxValueBytes?: number | undefined
}

/**
 * Encodes entries into envelopes and back, for one serializer.
 *
 * @example
 * ```ts
 * const codec = new EnvelopeCodec({ serializer: structuredSerializer, compressThreshold: 1024 })
 * const bytes = codec.encode('user:1', { value: 1, createdAt: 0, freshUntil: 1, staleUntil: 1, tags: [] })
 * codec.decode('user:1', bytes).value // 1
 * codec.decode('user:2', bytes) // throws DecodeError: written for another key
 * ```
 */
export class EnvelopeCodec {
  readonly #serializer: Serializer
  readonly #compressThreshold: number
  readonly #maxValueBytes: number

  /** @throws InvalidOptionError (option `serializer`) for a serializer an envelope cannot name. */
  constructor(options: EnvelopeCodecOptions) {
    assertSerializer(options.serializer)
    this.#serializer = options.serializer
    this.#compressThreshold = options.compressThreshold
    this.#maxValueBytes = options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES
  }

  /**
   * Throws `SerializationError` naming `key` when the value cannot be encoded,
   * `ValueTooLargeError` when it serializes to more than `maxValueBytes`, and
   * `InvalidOptionError` (option `'tags'`) for tags an envelope cannot hold.
   */
  encode(key: string, entry: CacheEntry): Uint8Array {
    validateTags(entry.tags, key)
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
    if (payload.byteLength > this.#maxValueBytes) {
      throw new ValueTooLargeError(key, payload.byteLength, this.#maxValueBytes)
    }
    let flags = this.#serializer.id & SERIALIZER_MASK
    if (payload.byteLength >= this.#compressThreshold) {
      const deflated = deflateRawSync(payload)
      if (deflated.byteLength < payload.byteLength) {
        payload = deflated
        flags |= DEFLATED
      }
    }
    const tagBytes = entry.tags.map((tag) => encoder.encode(tag))
    let size = FIXED_HEADER_BYTES + payload.byteLength
    for (const bytes of tagBytes) size += 2 + bytes.byteLength
    const out = new Uint8Array(size)
    const view = new DataView(out.buffer)
    out[0] = MAGIC
    out[1] = ENVELOPE_VERSION
    out[2] = flags
    out.set(keyDigest(key), DIGEST_OFFSET)
    view.setFloat64(CREATED_AT_OFFSET, entry.createdAt, true)
    view.setFloat64(FRESH_UNTIL_OFFSET, entry.freshUntil, true)
    view.setFloat64(STALE_UNTIL_OFFSET, entry.staleUntil, true)
    view.setFloat32(LOAD_TIME_OFFSET, entry.loadTime ?? 0, true)
    view.setUint16(TAG_COUNT_OFFSET, tagBytes.length, true)
    let offset = FIXED_HEADER_BYTES
    for (const bytes of tagBytes) {
      view.setUint16(offset, bytes.byteLength, true)
      out.set(bytes, offset + 2)
      offset += 2 + bytes.byteLength
    }
    out.set(payload, offset)
    view.setUint32(4, checksumSkippingOwnField(out), true)
    return out
  }

  /**
   * Throws `DecodeError` naming `key` for corrupt, truncated or foreign bytes, bytes
   * written for another key, and payloads over `maxValueBytes`.
   */
  decode(key: string, bytes: Uint8Array): CacheEntry {
    // One test for the usual case; headerProblem says what is wrong otherwise.
    if (
      bytes.byteLength < FIXED_HEADER_BYTES ||
      bytes[0] !== MAGIC ||
      bytes[1] !== ENVELOPE_VERSION ||
      ((bytes[2] as number) & UNKNOWN_FLAGS) !== 0 ||
      bytes[3] !== 0
    ) {
      throw headerProblem(key, bytes)
    }
    const flags = bytes[2] as number
    if (readUint32LE(bytes, 4) !== checksumSkippingOwnField(bytes)) {
      throw decodeError(key, 'is corrupt (checksum mismatch)')
    }
    if (!sameBytes(bytes, DIGEST_OFFSET, keyDigest(key))) {
      throw decodeError(key, 'was written for another key (key digest mismatch)')
    }
    if ((flags & SERIALIZER_MASK) !== this.#serializer.id) {
      throw decodeError(
        key,
        `was written by serializer #${flags & SERIALIZER_MASK}; this cache uses ${this.#serializer.name} (#${this.#serializer.id})`,
      )
    }
    const createdAt = readFloat64LE(bytes, CREATED_AT_OFFSET)
    const freshUntil = readFloat64LE(bytes, FRESH_UNTIL_OFFSET)
    const staleUntil = readFloat64LE(bytes, STALE_UNTIL_OFFSET)
    const loadTime = readFloat32LE(bytes, LOAD_TIME_OFFSET)
    // Comparisons with NaN are false, so NaN anywhere fails these too.
    if (!Number.isFinite(createdAt) || !(freshUntil >= createdAt && staleUntil >= freshUntil)) {
      throw decodeError(key, 'has an impossible lifetime')
    }
    const tagCount =
      (bytes[TAG_COUNT_OFFSET] as number) | ((bytes[TAG_COUNT_OFFSET + 1] as number) << 8)
    const { tags, end } =
      tagCount === 0 ? { tags: NO_TAGS, end: FIXED_HEADER_BYTES } : readTags(key, bytes, tagCount)
    const value = this.#readValue(key, bytesView(bytes, end), (flags & DEFLATED) !== 0)
    // loadTime is only a hint for early refresh: anything but a finite positive is "unknown".
    return loadTime > 0 && Number.isFinite(loadTime)
      ? { value, createdAt, freshUntil, staleUntil, tags, loadTime }
      : { value, createdAt, freshUntil, staleUntil, tags }
  }

  #readValue(key: string, stored: Uint8Array, deflated: boolean): unknown {
    const fail = (reason: string, cause?: unknown) => decodeError(key, reason, cause)
    let payload = stored
    if (deflated) {
      try {
        payload = inflateRawSync(stored, { maxOutputLength: this.#maxValueBytes })
      } catch (error) {
        throw (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE'
          ? fail(`inflates to more than the ${this.#maxValueBytes}-byte value limit`, error)
          : fail(`does not inflate: ${(error as Error).message}`, error)
      }
    } else if (payload.byteLength > this.#maxValueBytes) {
      throw fail(`holds ${payload.byteLength} bytes; the value limit is ${this.#maxValueBytes}`)
    }
    try {
      return this.#serializer.deserialize(payload)
    } catch (error) {
      throw fail(`is corrupt: ${(error as Error).message}`, error)
    }
  }
}

/**
 * The length of an envelope's header (everything before the payload), or `undefined`
 * when `bytes` do not start like an envelope of this format version with a complete tag
 * list. Only the layout is read: the checksum is not verified, so the answer says where
 * the payload would start, not that the entry is intact (decoding still checks that).
 *
 * @example
 * ```ts
 * const end = envelopeHeaderLength(bytes)
 * if (end !== undefined) console.log(`payload: ${bytes.byteLength - end} bytes`)
 * ```
 */
export function envelopeHeaderLength(bytes: Uint8Array): number | undefined {
  if (bytes.byteLength < FIXED_HEADER_BYTES || bytes[0] !== MAGIC) return undefined
  if (bytes[1] !== ENVELOPE_VERSION) return undefined
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const count = view.getUint16(TAG_COUNT_OFFSET, true)
  let offset = FIXED_HEADER_BYTES
  for (let i = 0; i < count; i++) {
    if (offset + 2 > bytes.byteLength) return undefined
    offset += 2 + view.getUint16(offset, true)
  }
  return offset <= bytes.byteLength ? offset : undefined
}

/** The tag list of an envelope whose header says it holds `count` tags. */
function readTags(
  key: string,
  bytes: Uint8Array,
  count: number,
): { tags: readonly string[]; end: number } {
  const tags: string[] = []
  let offset = FIXED_HEADER_BYTES
  for (let i = 0; i < count; i++) {
    if (offset + 2 > bytes.byteLength) throw decodeError(key, 'is truncated inside its tags')
    const length = (bytes[offset] as number) | ((bytes[offset + 1] as number) << 8)
    if (length === 0 || offset + 2 + length > bytes.byteLength) {
      throw decodeError(key, 'has a malformed tag')
    }
    try {
      tags.push(decoder.decode(bytesView(bytes, offset + 2, offset + 2 + length)))
    } catch (error) {
      throw decodeError(key, 'has a tag that is not UTF-8', error)
    }
    offset += 2 + length
  }
  return { tags, end: offset }
}

/** Why `bytes` are not an envelope this codec reads (the fast check in `decode` failed). */
function headerProblem(key: string, bytes: Uint8Array): DecodeError {
  if (bytes.byteLength < 2 || bytes[0] !== MAGIC) {
    return new DecodeError(`stored bytes for key "${key}" are not a @stack envelope`, key)
  }
  if (bytes[1] !== ENVELOPE_VERSION) {
    return decodeError(
      key,
      `has envelope version ${bytes[1]}; this @stack/core reads version ${ENVELOPE_VERSION} only`,
    )
  }
  if (bytes.byteLength < FIXED_HEADER_BYTES)
    return decodeError(key, 'is truncated inside its header')
  return decodeError(key, 'has unknown flags')
}

function decodeError(key: string, reason: string, cause?: unknown): DecodeError {
  return new DecodeError(`stored entry for key "${key}" ${reason}`, key, cause)
}

function sameBytes(bytes: Uint8Array, offset: number, expected: Uint8Array): boolean {
  for (let i = 0; i < expected.byteLength; i++) {
    if (bytes[offset + i] !== expected[i]) return false
  }
  return true
}

/** The envelope keeps a serializer's id in 4 bits: 1–15 (0 would read as "no serializer"). */
function assertSerializer(serializer: Serializer): void {
  if (
    typeof serializer?.serialize !== 'function' ||
    typeof serializer.deserialize !== 'function' ||
    !Number.isInteger(serializer.id) ||
    serializer.id < 1 ||
    serializer.id > 15
  ) {
    throw new InvalidOptionError(
      'serializer',
      'serializer must have serialize, deserialize and an integer id from 1 to 15',
    )
  }
}
