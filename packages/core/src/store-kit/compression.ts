import { promisify } from 'node:util'
import { brotliCompress, brotliDecompress, constants, gunzip, gzip } from 'node:zlib'

/** How a stored body is compressed, as a store records it next to the body. */
export type CompressionEncoding = 'gzip' | 'br'

/** A store's `compression` option: an algorithm, or `'none'`. */
export type CompressionOption = 'gzip' | 'brotli' | 'none'

/** Every {@link CompressionOption}, for validating the option. */
export const COMPRESSION_OPTIONS: readonly CompressionOption[] = ['gzip', 'brotli', 'none']

const gzipAsync = promisify(gzip)
const gunzipAsync = promisify(gunzip)
const brotliAsync = promisify(brotliCompress)
const unbrotliAsync = promisify(brotliDecompress)

// Quality 11 (zlib's default) is far too slow for a cache write path.
const BROTLI_OPTIONS = { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }

/**
 * `value` compressed with `algorithm` when it is at least `threshold` bytes and the result
 * is smaller; otherwise `value` itself with no encoding. Record the encoding with the body
 * and pass it to {@link decompress} on the way back.
 *
 * @example
 * ```ts
 * const { body, encoding } = await compress(value, 'gzip', 1024)
 * const stored = encoding === undefined ? body : await decompress(body, encoding)
 * ```
 */
export async function compress(
  value: Uint8Array,
  algorithm: CompressionOption,
  threshold: number,
): Promise<{ readonly body: Uint8Array; readonly encoding: CompressionEncoding | undefined }> {
  if (algorithm === 'none' || value.byteLength < threshold) {
    return { body: value, encoding: undefined }
  }
  const compressed =
    algorithm === 'gzip' ? await gzipAsync(value) : await brotliAsync(value, BROTLI_OPTIONS)
  if (compressed.byteLength >= value.byteLength) return { body: value, encoding: undefined }
  return { body: compressed, encoding: algorithm === 'gzip' ? 'gzip' : 'br' }
}

/**
 * Reverses {@link compress}; rejects on corrupt input, and with a `RangeError` (code
 * `ERR_BUFFER_TOO_LARGE`) as soon as the output would pass `maxBytes`, so a small
 * compressed bomb never inflates past the limit.
 *
 * @example
 * ```ts
 * const value = await decompress(body, 'br', 16 * 1024 * 1024)
 * ```
 */
export async function decompress(
  body: Uint8Array,
  encoding: CompressionEncoding,
  maxBytes: number = Number.POSITIVE_INFINITY,
): Promise<Uint8Array> {
  const options = Number.isFinite(maxBytes) ? { maxOutputLength: maxBytes } : {}
  const plain =
    encoding === 'gzip' ? await gunzipAsync(body, options) : await unbrotliAsync(body, options)
  return new Uint8Array(plain.buffer, plain.byteOffset, plain.byteLength)
}

/**
 * Parses a stored encoding flag: `undefined` when absent or empty (not compressed), `null`
 * when unknown (written by something newer or foreign: not to be decoded).
 *
 * @example
 * ```ts
 * parseEncoding('gzip') // 'gzip'
 * parseEncoding(undefined) // undefined
 * parseEncoding('zstd') // null
 * ```
 */
export function parseEncoding(flag: string | undefined): CompressionEncoding | undefined | null {
  if (flag === undefined || flag === '') return undefined
  return flag === 'gzip' || flag === 'br' ? flag : null
}
