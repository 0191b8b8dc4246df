import { promisify } from 'node:util'
import { brotliCompress, brotliDecompress, constants, gunzip, gzip } from 'node:zlib'

/** How a stored body is compressed; written to the object's metadata. */
export type Encoding = 'gzip' | 'br'

/** The `compression` option: an algorithm, or `'none'`. */
export type CompressionOption = 'gzip' | 'brotli' | 'none'

const gzipAsync = promisify(gzip)
const gunzipAsync = promisify(gunzip)
const brotliAsync = promisify(brotliCompress)
const unbrotliAsync = promisify(brotliDecompress)

// Quality 11 (zlib's default) is far too slow for a cache write path.
const BROTLI_OPTIONS = { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }

/**
 * `value` compressed with `algorithm` when it is at least `threshold` bytes and the result
 * is smaller; otherwise `value` itself, with no encoding.
 */
export async function compress(
  value: Uint8Array,
  algorithm: CompressionOption,
  threshold: number,
): Promise<{ readonly body: Uint8Array; readonly encoding: Encoding | undefined }> {
  if (algorithm === 'none' || value.byteLength < threshold)
    return { body: value, encoding: undefined }
  const compressed =
    algorithm === 'gzip' ? await gzipAsync(value) : await brotliAsync(value, BROTLI_OPTIONS)
  if (compressed.byteLength >= value.byteLength) return { body: value, encoding: undefined }
  return { body: compressed, encoding: algorithm === 'gzip' ? 'gzip' : 'br' }
}

/** Reverses {@link compress}; rejects on corrupt input. */
export async function decompress(body: Uint8Array, encoding: Encoding): Promise<Uint8Array> {
  const plain = encoding === 'gzip' ? await gunzipAsync(body) : await unbrotliAsync(body)
  return new Uint8Array(plain.buffer, plain.byteOffset, plain.byteLength)
}

/** Parses a stored encoding flag; `undefined` when absent, `null` when unknown. */
export function parseEncoding(flag: string | undefined): Encoding | undefined | null {
  if (flag === undefined || flag === '') return undefined
  return flag === 'gzip' || flag === 'br' ? flag : null
}
