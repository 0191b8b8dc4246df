import { createHash } from 'node:crypto'
import { DecodeError } from '../errors.js'
import { type CompressionOption, compress, decompress, parseEncoding } from './compression.js'
import { formatObjectExpiry, OBJECT_METADATA } from './object-metadata.js'

/** One write of an object store: the entry, and how its object is named. */
export interface ObjectWrite {
  readonly key: string
  readonly value: Uint8Array
  /** Absolute expiry in epoch ms, `Infinity` for never. */
  readonly expiresAt: number
  /** The object name is a hash (see `ObjectNameCodec`): the body must lead with the key. */
  readonly hashedName: boolean
  /** {@link contentSha256} of the value, recorded when the store dedupes writes. */
  readonly sha256?: string | undefined
  /**
   * Base64 envelope header kept in metadata (`OBJECT_METADATA.header`); `value` is then the
   * envelope's payload alone.
   */
  readonly header?: string | undefined
}

/** How an object store compresses bodies (its `compression` options). */
export interface CompressionSettings {
  readonly compression: CompressionOption
  readonly compressionThreshold: number
}

/** What one write uploads: the body and its user metadata. */
export interface PackedObjectBody {
  readonly body: Uint8Array
  readonly metadata: Record<string, string>
}

/**
 * Base64 SHA-256 of a value, as recorded in `OBJECT_METADATA.sha256`.
 *
 * @example
 * ```ts
 * const unchanged = head.metadata[OBJECT_METADATA.sha256] === contentSha256(value)
 * ```
 */
export function contentSha256(value: Uint8Array): string {
  return createHash('sha256').update(value).digest('base64')
}

/**
 * The object to upload for a write: the value compressed when worthwhile, led by the key's
 * UTF-8 bytes when the object name is a hash (the name alone then cannot give the key
 * back), with {@link OBJECT_METADATA} fields saying so, plus the expiry and the hash.
 *
 * @example
 * ```ts
 * const { name, hashed } = codec.objectName(key)
 * const { body, metadata } = await packObjectBody(
 *   { key, value, expiresAt, hashedName: hashed },
 *   { compression: 'gzip', compressionThreshold: 1024 },
 * )
 * await bucket.upload(name, body, metadata)
 * ```
 */
export async function packObjectBody(
  write: ObjectWrite,
  settings: CompressionSettings,
): Promise<PackedObjectBody> {
  const metadata: Record<string, string> = {}
  const expiry = formatObjectExpiry(write.expiresAt)
  if (expiry !== undefined) metadata[OBJECT_METADATA.expiresAt] = expiry
  if (write.sha256 !== undefined) metadata[OBJECT_METADATA.sha256] = write.sha256
  if (write.header !== undefined) metadata[OBJECT_METADATA.header] = write.header
  const { body: payload, encoding } = await compress(
    write.value,
    settings.compression,
    settings.compressionThreshold,
  )
  if (encoding !== undefined) metadata[OBJECT_METADATA.encoding] = encoding
  if (!write.hashedName) return { body: payload, metadata }
  const keyBytes = Buffer.from(write.key, 'utf8')
  metadata[OBJECT_METADATA.keyBytes] = String(keyBytes.byteLength)
  return { body: Buffer.concat([keyBytes, payload]), metadata }
}

/**
 * The value in a stored body (reversing {@link packObjectBody}), or `undefined` when the
 * object leads with another key (a hashed name shared by two keys: not expected, but never
 * served as this key's value). Rejects with `DecodeError` for an unknown encoding or a body
 * that does not decompress, or would decompress to more than `maxValueBytes` (inflation
 * stops there: a compressed bomb never allocates past the limit).
 *
 * @example
 * ```ts
 * const value = await unpackObjectBody(key, body, metadata, options.maxValueBytes)
 * ```
 */
export async function unpackObjectBody(
  key: string,
  body: Uint8Array,
  metadata: Readonly<Record<string, string>>,
  maxValueBytes?: number,
): Promise<Uint8Array | undefined> {
  let payload = body
  const keyBytes = metadata[OBJECT_METADATA.keyBytes]
  if (keyBytes !== undefined) {
    const length = Number(keyBytes)
    if (readObjectKeyFrame(body, length) !== key) return undefined
    payload = body.subarray(length)
  }
  const encoding = parseEncoding(metadata[OBJECT_METADATA.encoding])
  if (encoding === null) {
    throw new DecodeError(
      `unknown encoding "${metadata[OBJECT_METADATA.encoding]}" on key "${key}"`,
      key,
    )
  }
  if (encoding === undefined) return plainView(payload)
  try {
    return await decompress(payload, encoding, maxValueBytes)
  } catch (error) {
    const tooLarge = (error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE'
    throw new DecodeError(
      tooLarge
        ? `stored value of key "${key}" decompresses to more than maxValueBytes (${maxValueBytes})`
        : `stored value of key "${key}" does not decompress`,
      key,
      error,
    )
  }
}

/** The same bytes as a plain `Uint8Array` (not a `Buffer`), without copying. */
function plainView(bytes: Uint8Array): Uint8Array {
  return bytes.constructor === Uint8Array
    ? bytes
    : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * The key that leads a hashed object's body (its first `length` bytes, `length` from
 * `hashedKeyLength`), or `undefined` when that frame is malformed.
 *
 * @example
 * ```ts
 * const key = readObjectKeyFrame(firstBytes, length)
 * ```
 */
export function readObjectKeyFrame(body: Uint8Array, length: number): string | undefined {
  if (!Number.isSafeInteger(length) || length <= 0 || length > body.byteLength) return undefined
  try {
    return strictUtf8.decode(body.subarray(0, length))
  } catch {
    return undefined
  }
}
