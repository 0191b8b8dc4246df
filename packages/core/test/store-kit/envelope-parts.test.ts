import { describe, expect, test } from 'vitest'
import { EnvelopeCodec, structuredSerializer } from '../../src/index.js'
import { payloadDigest, splitEnvelope } from '../../src/store-kit/index.js'

const codec = new EnvelopeCodec({ serializer: structuredSerializer, compressThreshold: 64 })
const value = { report: 'x'.repeat(500), rows: [1, 2, 3] }
const entry = (createdAt: number, tags: readonly string[] = []) => ({
  value,
  createdAt,
  freshUntil: createdAt + 1_000,
  staleUntil: createdAt + 2_000,
  tags,
})

describe('splitEnvelope', () => {
  test('header + payload are the envelope, and a rewrite of one value keeps the payload', () => {
    const first = codec.encode('k', entry(1))
    const second = codec.encode('k', entry(5, ['report', 'daily']))
    const a = splitEnvelope(first)
    const b = splitEnvelope(second)
    if (a === undefined || b === undefined) throw new Error('not split')
    expect(Buffer.concat([a.header, a.payload])).toEqual(Buffer.from(first))
    expect(Buffer.from(a.payload)).toEqual(Buffer.from(b.payload))
    expect(b.header.byteLength).toBe(a.header.byteLength + 2 + 6 + 2 + 5)
    expect(Buffer.from(a.header)).not.toEqual(Buffer.from(b.header.subarray(0, a.header.length)))
    expect(payloadDigest(a.payload)).toEqual(payloadDigest(b.payload))
  })

  test('another value has another payload digest', () => {
    const a = splitEnvelope(codec.encode('k', entry(1)))
    const b = splitEnvelope(codec.encode('k', { ...entry(1), value: { ...value, rows: [1, 2] } }))
    expect(payloadDigest(a?.payload ?? new Uint8Array())).not.toEqual(
      payloadDigest(b?.payload ?? new Uint8Array()),
    )
  })

  test('bytes that are not a complete envelope header are opaque: undefined', () => {
    const envelope = codec.encode('k', entry(1, ['tag']))
    expect(splitEnvelope(new Uint8Array([1, 2, 3]))).toBeUndefined()
    expect(splitEnvelope(envelope.subarray(0, 40))).toBeUndefined() // inside the fixed part
    expect(splitEnvelope(envelope.subarray(0, 57))).toBeUndefined() // inside the tag list
    const otherVersion = envelope.slice()
    otherVersion[1] = 9
    expect(splitEnvelope(otherVersion)).toBeUndefined()
    const notMagic = envelope.slice()
    notMagic[0] = 0
    expect(splitEnvelope(notMagic)).toBeUndefined()
  })

  test('parts are views: no copy of the payload', () => {
    const envelope = codec.encode('k', entry(1))
    const parts = splitEnvelope(envelope)
    expect(parts?.payload.buffer).toBe(envelope.buffer)
  })
})
