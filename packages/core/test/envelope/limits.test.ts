import { once } from 'node:events'
import { serialize } from 'node:v8'
import { createDeflateRaw } from 'node:zlib'
import { describe, expect, test } from 'vitest'
import {
  type CacheEntry,
  DEFAULT_MAX_VALUE_BYTES,
  DecodeError,
  EnvelopeCodec,
  InvalidOptionError,
  type Serializer,
  structuredSerializer,
  ValueTooLargeError,
} from '../../src/index.js'
import { forgeEnvelope, thrown } from './helpers.js'

const MiB = 1024 * 1024

/** Bytes in, the same bytes out: payload size equals value size. */
const rawBytes: Serializer = {
  name: 'raw',
  id: 9,
  serialize: (value) => value as Uint8Array,
  deserialize: (bytes) => bytes,
}

const base: Omit<CacheEntry, 'value'> = {
  createdAt: 1_000,
  freshUntil: 2_000,
  staleUntil: 3_000,
  tags: [],
}

/** `size` zero bytes, raw-deflated in 1 MiB chunks (never holding them all at once). */
async function deflatedZeros(size: number): Promise<Uint8Array> {
  const deflate = createDeflateRaw({ level: 9 })
  const parts: Buffer[] = []
  deflate.on('data', (part: Buffer) => parts.push(part))
  const chunk = Buffer.alloc(Math.min(size, MiB))
  for (let written = 0; written < size; written += chunk.byteLength) {
    deflate.write(chunk.subarray(0, Math.min(chunk.byteLength, size - written)))
  }
  deflate.end()
  await once(deflate, 'end')
  return new Uint8Array(Buffer.concat(parts))
}

describe('envelope value limit', () => {
  test('a 64 MiB deflate bomb fails fast in a cache that never compresses', async () => {
    const bomb = await deflatedZeros(64 * MiB)
    expect(bomb.byteLength).toBeLessThan(100_000)
    const neverCompresses = new EnvelopeCodec({
      serializer: structuredSerializer,
      compressThreshold: Number.POSITIVE_INFINITY,
    })
    const bytes = forgeEnvelope({ flags: 0x12, payload: bomb })
    const error = thrown(() => neverCompresses.decode('k', bytes))
    expect(DecodeError.isInstance(error)).toBe(true)
    expect((error as Error).message).toMatch(
      new RegExp(`inflates to more than the ${DEFAULT_MAX_VALUE_BYTES}-byte value limit`),
    )
    // zlib itself stopped at the limit: the whole output was never produced.
    expect(((error as Error).cause as { code?: string }).code).toBe('ERR_BUFFER_TOO_LARGE')
  })

  test('inflation is bounded by maxValueBytes, to the byte', async () => {
    const codec = new EnvelopeCodec({
      serializer: rawBytes,
      compressThreshold: 0,
      maxValueBytes: MiB,
    })
    const exact = forgeEnvelope({ flags: 0x19, payload: await deflatedZeros(MiB) })
    expect((codec.decode('k', exact).value as Uint8Array).byteLength).toBe(MiB)
    const over = forgeEnvelope({ flags: 0x19, payload: await deflatedZeros(MiB + 1) })
    expect(() => codec.decode('k', over)).toThrow(/inflates to more than the 1048576-byte/)
  })

  test('a payload that is not deflate data at all is a DecodeError', () => {
    const bytes = forgeEnvelope({ flags: 0x12, payload: new Uint8Array([0xff, 0xff, 0xff]) })
    expect(() =>
      new EnvelopeCodec({ serializer: structuredSerializer, compressThreshold: 0 }).decode(
        'k',
        bytes,
      ),
    ).toThrow(/does not inflate/)
  })

  test('encode refuses a value over the limit with ValueTooLargeError naming the key', () => {
    const codec = new EnvelopeCodec({
      serializer: rawBytes,
      compressThreshold: 0,
      maxValueBytes: 100,
    })
    const decoded = codec.decode('k', codec.encode('k', { ...base, value: new Uint8Array(100) }))
    expect((decoded.value as Uint8Array).byteLength).toBe(100)
    const error = thrown(() => codec.encode('big', { ...base, value: new Uint8Array(101) }))
    expect(ValueTooLargeError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ key: 'big', size: 101, limit: 100 })
  })

  test('a stored uncompressed payload over the limit is a DecodeError', () => {
    const writer = new EnvelopeCodec({ serializer: rawBytes, compressThreshold: Infinity })
    const reader = new EnvelopeCodec({
      serializer: rawBytes,
      compressThreshold: Infinity,
      maxValueBytes: 100,
    })
    const bytes = writer.encode('k', { ...base, value: new Uint8Array(101) })
    expect(() => reader.decode('k', bytes)).toThrow(/holds 101 bytes; the value limit is 100/)
  })

  test('defaults to 16 MiB', () => {
    expect(DEFAULT_MAX_VALUE_BYTES).toBe(16 * MiB)
  })
})

describe('envelope tag limits', () => {
  const codec = new EnvelopeCodec({ serializer: structuredSerializer, compressThreshold: Infinity })
  const encodeTags = (tags: readonly string[]) =>
    codec.encode('the-key', { ...base, value: 1, tags })

  test('65,535 tags round-trip', () => {
    const tags = Array.from({ length: 65_535 }, (_, i) => `t${i}`)
    expect(codec.decode('the-key', encodeTags(tags)).tags).toEqual(tags)
  })

  test('65,536 tags are refused with InvalidOptionError naming the key', () => {
    const tags = Array.from({ length: 65_536 }, (_, i) => `t${i}`)
    const error = thrown(() => encodeTags(tags))
    expect(InvalidOptionError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ code: 'E_INVALID_OPTION', option: 'tags' })
    expect((error as Error).message).toMatch(/"the-key" carries 65536 tags; the most .* 65535/)
  })

  test('a tag of 65,535 UTF-8 bytes round-trips; one byte more is refused', () => {
    const longest = 'x'.repeat(65_535)
    expect(codec.decode('the-key', encodeTags([longest])).tags).toEqual([longest])
    expect(() => encodeTags(['x'.repeat(65_536)])).toThrow(/65536 bytes in UTF-8/)
    // 32,768 two-byte characters: short in UTF-16, too long in UTF-8.
    expect(() => encodeTags(['é'.repeat(32_768)])).toThrow(InvalidOptionError)
  })

  test('a lone-surrogate tag is refused, never turned into U+FFFD', () => {
    const error = thrown(() => encodeTags(['ok', 'user:\uD800']))
    expect(InvalidOptionError.isInstance(error)).toBe(true)
    expect((error as Error).message).toContain('tags[1] of key "the-key" "user:\\ud800"')
    expect(() => encodeTags(['\uDC00x'])).toThrow(/lone UTF-16 surrogate/)
    // A surrogate pair is a real character and is kept exactly.
    expect(codec.decode('the-key', encodeTags(['user:😀'])).tags).toEqual(['user:😀'])
  })

  test('empty and non-string tags are refused', () => {
    expect(() => encodeTags([''])).toThrow(/tags\[0\] of key "the-key" must be a non-empty string/)
    expect(() => encodeTags([1 as unknown as string])).toThrow(/got number/)
  })

  test('decode refuses a forged tag count larger than the tags present', () => {
    const bytes = forgeEnvelope({ tagCount: 65_535, payload: serialize(1) })
    expect(() => codec.decode('k', bytes)).toThrow(DecodeError)
  })
})
