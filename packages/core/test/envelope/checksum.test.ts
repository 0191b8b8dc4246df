import { crc32 } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import {
  checksumSkippingOwnField,
  readFloat32LE,
  readFloat64LE,
  readUint32LE,
} from '../../src/checksum.js'

/** zlib's CRC-32 of bytes 0–3 then 8–end: what every record written so far holds. */
function reference(record: Uint8Array): number {
  return crc32(record.subarray(8), crc32(record.subarray(0, 4)))
}

function randomBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length)
  let state = seed
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0
    bytes[i] = state >>> 24
  }
  return bytes
}

describe('checksumSkippingOwnField', () => {
  it('equals zlib on every length around the switch to zlib, and ignores bytes 4–7', () => {
    for (let length = 8; length <= 400; length++) {
      const record = randomBytes(length, length)
      expect(checksumSkippingOwnField(record), `length ${length}`).toBe(reference(record))
      record[5] = (record[5] as number) ^ 0xff
      expect(checksumSkippingOwnField(record)).toBe(reference(record))
    }
  })

  it('changes when any covered bit flips', () => {
    for (const length of [24, 63, 167, 300]) {
      const record = randomBytes(length, 7)
      const intact = checksumSkippingOwnField(record)
      for (let i = 0; i < length; i++) {
        if (i >= 4 && i < 8) continue
        record[i] = (record[i] as number) ^ 0x10
        expect(checksumSkippingOwnField(record), `byte ${i} of ${length}`).not.toBe(intact)
        record[i] = (record[i] as number) ^ 0x10
      }
    }
  })

  it('reads subarrays at their own offset', () => {
    const outer = randomBytes(200, 3)
    const record = outer.subarray(17, 120)
    expect(checksumSkippingOwnField(record)).toBe(reference(record))
  })
})

describe('little-endian readers', () => {
  it('read what a DataView wrote, at odd offsets of a subarray', () => {
    const bytes = new Uint8Array(40)
    const view = new DataView(bytes.buffer)
    const values = [0, -0, 1.5, -1e300, Number.POSITIVE_INFINITY, Number.NaN, 1733210000000.25]
    for (const value of values) {
      view.setFloat64(9, value, true)
      view.setFloat32(21, value, true)
      view.setUint32(27, 0xfedcba98, true)
      const sub = bytes.subarray(1)
      expect(readFloat64LE(sub, 8)).toBe(value)
      expect(readFloat32LE(sub, 20)).toBe(Math.fround(value))
      expect(readUint32LE(sub, 26)).toBe(0xfedcba98)
    }
  })
})
