import { crc32 } from 'node:zlib'
import { expect, test } from 'vitest'
import { DecodeError, EnvelopeCodec, structuredSerializer } from '../../src/index.js'

// What Node's v8.deserialize gets from a payload it cannot read: here, bytes that are no
// V8 serialization at all (a Bun- or Deno-written payload fails the same way).
const foreign = new Uint8Array([0xff, 0x7f, 0x00, 0x42, 0x13])

test('a payload node:v8 cannot read fails with the serializer to use for mixed runtimes', () => {
  expect(() => structuredSerializer.deserialize(foreign)).toThrow(
    /readable only by Node.*Bun, Deno.*jsonSerializer or msgpackSerializer\(\) from @stack\/msgpack/,
  )
})

test('through the envelope it is a DecodeError naming the key, with the same advice', () => {
  const codec = new EnvelopeCodec({ serializer: structuredSerializer, compressThreshold: Infinity })
  const good = codec.encode('k', {
    createdAt: 0,
    freshUntil: 1,
    staleUntil: 2,
    tags: [],
    value: 'v',
  })
  // Re-frame a foreign payload in a valid envelope: the checksum then passes and the
  // failure is the serializer's.
  const payloadStart = good.byteLength - structuredSerializer.serialize('v').byteLength
  const forged = new Uint8Array([...good.subarray(0, payloadStart), ...foreign])
  let thrown: unknown
  try {
    codec.decode('k', reChecksum(forged))
  } catch (error) {
    thrown = error
  }
  expect(DecodeError.isInstance(thrown)).toBe(true)
  expect((thrown as DecodeError).message).toMatch(/key "k".*jsonSerializer or msgpackSerializer/)
})

/** Writes the envelope's checksum (bytes 4-7: CRC-32 of bytes 0-3 and 8-end) anew. */
function reChecksum(envelope: Uint8Array): Uint8Array {
  const sum = crc32(envelope.subarray(8), crc32(envelope.subarray(0, 4)))
  new DataView(envelope.buffer, envelope.byteOffset).setUint32(4, sum, true)
  return envelope
}
