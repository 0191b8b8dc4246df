import { serialize } from 'node:v8'
import { crc32 } from 'node:zlib'
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import {
  type CacheEntry,
  DecodeError,
  ENVELOPE_VERSION,
  EnvelopeCodec,
  jsonSerializer,
  SerializationError,
  structuredSerializer,
} from '../../src/index.js'
import { forgeEnvelope, thrown } from './helpers.js'

const codec = new EnvelopeCodec({ serializer: structuredSerializer, compressThreshold: 1024 })
const entry: CacheEntry = {
  value: { name: 'ada', at: new Date(1) },
  createdAt: 1_700_000_000_000,
  freshUntil: 1_700_000_060_000,
  staleUntil: Number.POSITIVE_INFINITY,
  tags: ['user:1', 'ünïcode tag'],
}

describe('EnvelopeCodec', () => {
  test('round-trips value, lifetimes, loadTime and tags', () => {
    expect(codec.decode('k', codec.encode('k', entry))).toEqual(entry)
    const timed = { ...entry, loadTime: 12.5 }
    expect(codec.decode('k', codec.encode('k', timed))).toEqual(timed)
  })

  test('writes the current format version', () => {
    expect(ENVELOPE_VERSION).toBe(2)
    expect(codec.encode('k', entry)[1]).toBe(2)
  })

  test('deflates payloads above the threshold and inflates them back', () => {
    const big = { ...entry, value: 'x'.repeat(100_000) }
    const bytes = codec.encode('k', big)
    expect(bytes.byteLength).toBeLessThan(5_000)
    expect((bytes[2] as number) & 0x10).toBe(0x10)
    expect(codec.decode('k', bytes)).toEqual(big)
  })

  test('stores a payload that deflate would not shrink as it is', () => {
    const random = new Uint8Array(4096).map(() => Math.floor(Math.random() * 256))
    const bytes = codec.encode('k', { ...entry, value: random })
    expect((bytes[2] as number) & 0x10).toBe(0)
    expect(codec.decode('k', bytes).value).toEqual(random)
  })

  test('reads from a subarray with a non-zero byteOffset', () => {
    const bytes = codec.encode('k', entry)
    const padded = new Uint8Array(bytes.byteLength + 7)
    padded.set(bytes, 7)
    expect(codec.decode('k', padded.subarray(7))).toEqual(entry)
  })

  test.each([
    ['empty bytes', new Uint8Array(0)],
    ['foreign bytes', new TextEncoder().encode('{"plain":"json written by someone else"}')],
    ['raw v8 bytes', serialize({ a: 1, padding: 'x'.repeat(100) })],
  ])('rejects %s with a DecodeError naming the key', (_, bytes) => {
    expect(() => codec.decode('user:1', bytes)).toThrow(DecodeError)
    expect(() => codec.decode('user:1', bytes)).toThrow(/"user:1"/)
  })

  test('rejects another format version, older or newer', () => {
    for (const version of [0, 1, 3, 255]) {
      const bytes = codec.encode('k', entry)
      bytes[1] = version
      expect(() => codec.decode('k', bytes)).toThrow(new RegExp(`envelope version ${version}`))
    }
  })

  test('treats a well-formed version-1 envelope (no key digest) as a miss', () => {
    const v1 = forgeEnvelope({ version: 1, payload: serialize('old') })
    expect(() => codec.decode('k', v1)).toThrow(/envelope version 1/)
  })

  test('rejects any single flipped bit', () => {
    const bytes = codec.encode('k', { ...entry, value: { price: 1234.5, qty: 3 } })
    for (let offset = 0; offset < bytes.byteLength; offset++) {
      for (const bit of [0x01, 0x04, 0x80]) {
        const corrupt = bytes.slice()
        corrupt[offset] = (corrupt[offset] as number) ^ bit
        expect(() => codec.decode('k', corrupt), `offset ${offset}`).toThrow(DecodeError)
      }
    }
  })

  test('rejects an entry written by another serializer', () => {
    const other = new EnvelopeCodec({ serializer: jsonSerializer, compressThreshold: Infinity })
    const bytes = other.encode('k', { ...entry, value: { plain: true } })
    expect(() => codec.decode('k', bytes)).toThrow(/serializer #1/)
  })

  test('rejects every truncation of a valid envelope', () => {
    const bytes = codec.encode('k', entry)
    for (let length = 0; length < bytes.byteLength; length++) {
      expect(() => codec.decode('k', bytes.subarray(0, length)), `length ${length}`).toThrow(
        DecodeError,
      )
    }
  })

  test('rejects bytes with trailing garbage', () => {
    const bytes = codec.encode('k', entry)
    const longer = new Uint8Array(bytes.byteLength + 1)
    longer.set(bytes)
    expect(() => codec.decode('k', longer)).toThrow(DecodeError)
  })

  test('rejects unknown flag bits and a non-zero reserved byte, even with a valid checksum', () => {
    const payload = serialize('v')
    expect(() => codec.decode('k', forgeEnvelope({ flags: 0x22, payload }))).toThrow(
      /unknown flags/,
    )
    expect(() => codec.decode('k', forgeEnvelope({ reserved: 1, payload }))).toThrow(
      /unknown flags/,
    )
    expect(codec.decode('k', forgeEnvelope({ payload })).value).toBe('v')
  })

  test.each([
    ['NaN createdAt', { createdAt: Number.NaN }],
    ['infinite createdAt', { createdAt: Number.POSITIVE_INFINITY }],
    ['NaN freshUntil', { freshUntil: Number.NaN }],
    ['NaN staleUntil', { staleUntil: Number.NaN }],
    ['freshUntil before createdAt', { createdAt: 5_000, freshUntil: 4_000, staleUntil: 6_000 }],
    ['staleUntil before freshUntil', { freshUntil: 4_000, staleUntil: 3_000 }],
  ])('rejects an impossible lifetime with a valid checksum: %s', (_, lifetime) => {
    const bytes = forgeEnvelope({ ...lifetime, payload: serialize('v') })
    expect(() => codec.decode('k', bytes)).toThrow(/impossible lifetime/)
  })

  test('ignores a loadTime that is not a finite positive number', () => {
    for (const loadTime of [Number.NaN, Number.POSITIVE_INFINITY, -5]) {
      const decoded = codec.decode('k', forgeEnvelope({ loadTime, payload: serialize('v') }))
      expect(decoded.loadTime).toBeUndefined()
    }
  })

  test.each([
    ['a tag count past the end', { tagCount: 3, tags: [new Uint8Array([0x61])] }],
    ['an empty tag', { tags: [new Uint8Array(0)] }],
    ['a tag that is not UTF-8', { tags: [new Uint8Array([0xff, 0xfe])] }],
    ['a lone surrogate in a tag (CESU bytes)', { tags: [new Uint8Array([0xed, 0xa0, 0x80])] }],
  ])('rejects %s even with a valid checksum', (_, tags) => {
    const bytes = forgeEnvelope({ ...tags, payload: serialize('v') })
    expect(() => codec.decode('k', bytes)).toThrow(DecodeError)
  })

  test('wraps serializer failures in a SerializationError naming the key', () => {
    const error = thrown(() => codec.encode('fn-key', { ...entry, value: () => 1 }))
    expect(SerializationError.isInstance(error)).toBe(true)
    expect((error as SerializationError).key).toBe('fn-key')
    expect((error as Error).message).toMatch(/"fn-key"/)
  })
})

describe('EnvelopeCodec binds the key', () => {
  test("refuses another key's bytes as a DecodeError", () => {
    const bytes = codec.encode('tenant-a:user:1', entry)
    const error = thrown(() => codec.decode('tenant-b:user:1', bytes))
    expect(DecodeError.isInstance(error)).toBe(true)
    expect((error as DecodeError).key).toBe('tenant-b:user:1')
    expect((error as Error).message).toMatch(/written for another key/)
  })

  test('agrees with an independent SHA-256 of the key', () => {
    const forged = forgeEnvelope({ key: 'user:1', payload: serialize('v') })
    expect(codec.decode('user:1', forged).value).toBe('v')
    expect(() => codec.decode('user:2', forged)).toThrow(/another key/)
  })

  test.each([
    ['a lone surrogate and U+FFFD', 'k\uD800', 'k\uFFFD'],
    ['two different lone surrogates', 'k\uD800', 'k\uDC00'],
    ['a prefix', 'user:1', 'user:10'],
    ['case', 'User', 'user'],
    ['unicode normalisation', 'caf\u00e9', 'cafe\u0301'],
    ['a long key and its truncation', 'x'.repeat(10_000), 'x'.repeat(9_999)],
    ['a trailing NUL', 'k', 'k\u0000'],
  ])('tells apart keys that differ by %s', (_, a, b) => {
    const bytes = codec.encode(a, entry)
    expect(codec.decode(a, bytes)).toEqual(entry)
    expect(() => codec.decode(b, bytes)).toThrow(/another key/)
  })

  test('property: decode(k2, encode(k1)) succeeds exactly when k1 === k2', () => {
    const small = { ...entry, tags: [] }
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', minLength: 1 }),
        fc.string({ unit: 'binary', minLength: 1 }),
        (k1, k2) => {
          const bytes = codec.encode(k1, small)
          if (k1 === k2) expect(codec.decode(k2, bytes)).toEqual(small)
          else expect(() => codec.decode(k2, bytes)).toThrow(DecodeError)
          expect(() => codec.decode(`${k1}x`, bytes)).toThrow(DecodeError)
        },
      ),
      { numRuns: 300 },
    )
  }, 30_000)

  test('property: random bytes behind a valid magic and version never decode', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 200 }), (tail) => {
        const bytes = new Uint8Array(2 + tail.byteLength)
        bytes.set([0xce, 2])
        bytes.set(tail, 2)
        expect(() => codec.decode('k', bytes)).toThrow(DecodeError)
      }),
      { numRuns: 500 },
    )
  }, 30_000)
})

describe('the checksum', () => {
  test('property: bytes 4–7 hold zlib CRC-32 of bytes 0–3 followed by bytes 8–end', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.array(fc.string({ minLength: 1 }), { maxLength: 3 }),
        (v, tags) => {
          const bytes = codec.encode('k', {
            value: v,
            createdAt: 1,
            freshUntil: 2,
            staleUntil: 3,
            tags,
          })
          const expected = crc32(bytes.subarray(8), crc32(bytes.subarray(0, 4)))
          expect(new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true)).toBe(expected)
        },
      ),
    )
  })
})
