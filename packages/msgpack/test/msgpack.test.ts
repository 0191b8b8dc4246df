import { describe, expect, test } from 'vitest'
import { msgpackSerializer } from '../src/index.js'

const serializer = msgpackSerializer()
const roundTrip = (value: unknown) => serializer.deserialize(serializer.serialize(value))

describe('msgpackSerializer', () => {
  test('round-trips Date, Map, Set, BigInt and typed arrays losslessly', () => {
    const value = {
      date: new Date('2026-01-02T03:04:05.678Z'),
      map: new Map<unknown, unknown>([
        ['a', 1],
        [2, { nested: new Set([1, 'x']) }],
      ]),
      set: new Set(['a', 'b']),
      big: 12345678901234567890123n,
      negativeBig: -42n,
      bytes: new Uint8Array([0, 1, 255]),
      floats: new Float64Array([1.5, -0, Number.NaN]),
      ints: new Int32Array([-1, 2_000_000_000]),
      nothing: null,
      list: [1, 'two', [3]],
    }
    const decoded = roundTrip(value) as typeof value
    expect(decoded).toEqual(value)
    expect(decoded.date).toBeInstanceOf(Date)
    expect(decoded.map).toBeInstanceOf(Map)
    expect(decoded.set).toBeInstanceOf(Set)
    expect(typeof decoded.big).toBe('bigint')
    expect(decoded.bytes).toBeInstanceOf(Uint8Array)
    expect(decoded.floats).toBeInstanceOf(Float64Array)
    expect(decoded.ints).toBeInstanceOf(Int32Array)
  })

  test('keeps plain objects plain and shared (acyclic) references', () => {
    const shared = { n: 1 }
    const decoded = roundTrip({ a: shared, b: shared, u: undefined }) as Record<string, unknown>
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype)
    expect(decoded).toEqual({ a: { n: 1 }, b: { n: 1 }, u: undefined })
  })

  test('refuses cyclic structures with the path of the cycle', () => {
    const value: { self?: unknown; name: string } = { name: 'loop' }
    value.self = value
    expect(() => serializer.serialize(value)).toThrow(/\$\.self refers back to itself/)
  })

  test('refuses functions and symbols instead of dropping them', () => {
    expect(() => serializer.serialize({ fn: () => 1 })).toThrow(/\$\.fn is a function/)
    expect(() => serializer.serialize(new Map([['k', Symbol('s')]]))).toThrow(/symbol/)
  })

  test('throws on truncated bytes', () => {
    const bytes = serializer.serialize({ text: 'hello world', list: [1, 2, 3] })
    expect(() => serializer.deserialize(bytes.subarray(0, bytes.length - 3))).toThrow()
  })

  test('has the reserved envelope id 3 unless told otherwise', () => {
    expect(serializer.id).toBe(3)
    expect(msgpackSerializer({ id: 9 }).id).toBe(9)
  })

  test('rejects unknown options, naming them', () => {
    expect(() => msgpackSerializer({ useRecords: true } as never)).toThrow(
      expect.objectContaining({ code: 'E_INVALID_OPTION', option: 'useRecords' }),
    )
  })
})
