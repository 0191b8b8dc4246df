import { createHash } from 'node:crypto'
import { DecodeError } from '@stack/core'
import { type CompressionOption, compress, decompress, parseEncoding } from './compression.js'
import { META } from './metadata.js'

/** What one `set` writes: the body and its user metadata (object name aside). */
export interface PackedBody {
  readonly body: Uint8Array
  readonly metadata: Record<string, string>
}

export interface PackSettings {
  readonly compression: CompressionOption
  readonly compressionThreshold: number
}

/** Base64 SHA-256 of a value, as kept in {@link META.sha256}. */
export function contentHash(value: Uint8Array): string {
  return createHash('sha256').update(value).digest('base64')
}

/**
 * The stored form of `value`: compressed when worthwhile, and led by the key's UTF-8 bytes
 * when the object name is a hash (the name alone then cannot give the key back).
 */
export async function packBody(
  key: string,
  value: Uint8Array,
  hashedName: boolean,
  settings: PackSettings,
  metadata: Record<string, string>,
): Promise<PackedBody> {
  const { body: payload, encoding } = await compress(
    value,
    settings.compression,
    settings.compressionThreshold,
  )
  const fields: Record<string, string> = { ...metadata }
  if (encoding !== undefined) fields[META.encoding] = encoding
  if (!hashedName) return { body: payload, metadata: fields }
  const keyBytes = Buffer.from(key, 'utf8')
  fields[META.keyBytes] = String(keyBytes.byteLength)
  return { body: Buffer.concat([keyBytes, payload]), metadata: fields }
}

/**
 * The value in a stored body, or `undefined` when the object leads with another key
 * (a hashed name shared by two keys: not expected, but never served as this key's value).
 * Throws `DecodeError` for a body that cannot be decompressed.
 */
export async function unpackBody(
  key: string,
  body: Uint8Array,
  metadata: Readonly<Record<string, string>>,
): Promise<Uint8Array | undefined> {
  let payload = body
  const keyBytes = metadata[META.keyBytes]
  if (keyBytes !== undefined) {
    const length = Number(keyBytes)
    const storedKey = readKeyFrame(body, length)
    if (storedKey !== key) return undefined
    payload = body.subarray(length)
  }
  const encoding = parseEncoding(metadata[META.encoding])
  if (encoding === null) {
    throw new DecodeError(`unknown encoding "${metadata[META.encoding]}" on key "${key}"`, key)
  }
  if (encoding === undefined) return plainView(payload)
  try {
    return await decompress(payload, encoding)
  } catch (error) {
    throw new DecodeError(`stored value of key "${key}" does not decompress`, key, error)
  }
}

/** The same bytes as a plain `Uint8Array` (not a `Buffer`), without copying. */
function plainView(bytes: Uint8Array): Uint8Array {
  return bytes.constructor === Uint8Array
    ? bytes
    : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

/** The key that leads a hashed object's body, or `undefined` when the frame is malformed. */
export function readKeyFrame(body: Uint8Array, length: number): string | undefined {
  if (!Number.isSafeInteger(length) || length <= 0 || length > body.byteLength) return undefined
  try {
    return strictUtf8.decode(body.subarray(0, length))
  } catch {
    return undefined
  }
}
