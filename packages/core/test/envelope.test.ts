import { describe, expect, test } from 'vitest'
import {
  type CacheEntry,
  DecodeError,
  EnvelopeCodec,
  jsonSerializer,
  SerializationError,
  structuredSerializer,
} from '../src/index.js'

const codec = new EnvelopeCodec({ serializer: structuredSerializer, compressThreshold: 1024 })
const entry: CacheEntry = {
  value: { name: 'ada', at: new Date(1) },
  createdAt: 1_700_000_000_000,
  freshUntil: 1_700_000_060_000,
  staleUntil: Number.POSITIVE_INFINITY,
  tags: ['user:1', 'ünïcode tag'],
}

describe('EnvelopeCodec', () => {
  test('round-trips value, lifetimes and tags', () => {
    expect(codec.decode('k', codec.encode('k', entry))).toEqual(entry)
  })

  test('deflates payloads above the threshold and inflates them back', () => {
    const big = { ...entry, value: 'x'.repeat(100_000) }
    const bytes = codec.encode('k', big)
    expect(bytes.byteLength).toBeLessThan(5_000)
    expect(codec.decode('k', bytes)).toEqual(big)
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
  ])('rejects %s with a DecodeError naming the key', (_, bytes) => {
    expect(() => codec.decode('user:1', bytes)).toThrow(DecodeError)
    expect(() => codec.decode('user:1', bytes)).toThrow(/"user:1"/)
  })

  test('rejects another format version', () => {
    const bytes = codec.encode('k', entry)
    bytes[1] = 2
    expect(() => codec.decode('k', bytes)).toThrow(/envelope version 2/)
  })

  test('rejects any single flipped bit', () => {
    const bytes = codec.encode('k', { ...entry, value: { price: 1234.5, qty: 3 } })
    for (let offset = 0; offset < bytes.byteLength; offset++) {
      const corrupt = bytes.slice()
      corrupt[offset] = (corrupt[offset] as number) ^ 0x04
      expect(() => codec.decode('k', corrupt), `offset ${offset}`).toThrow(DecodeError)
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

  test('wraps serializer failures in a SerializationError naming the key', () => {
    const error = (() => {
      try {
        codec.encode('fn-key', { ...entry, value: () => 1 })
      } catch (caught) {
        return caught
      }
    })()
    expect(SerializationError.isInstance(error)).toBe(true)
    expect((error as SerializationError).key).toBe('fn-key')
    expect((error as Error).message).toMatch(/"fn-key"/)
  })
})
