import { describe, expect, test } from 'vitest'
import { profileOf } from '../../core/test/serializers/arbitraries.js'
import {
  type Hostile,
  PROPERTY_HOSTILES,
  serializerContract,
} from '../../core/test/serializers/contract.js'
import { firstDifference } from '../../core/test/serializers/exact-equal.js'
import { msgpackSerializer } from '../src/index.js'

const serializer = msgpackSerializer()
const roundTrip = (value: unknown) => serializer.deserialize(serializer.serialize(value))

/** Everything msgpackSerializer promises to round-trip. */
const MSGPACK = profileOf(
  'undefined',
  'nonFinite',
  'negativeZero',
  'bigint',
  'dates',
  'regexps',
  'mapsAndSets',
  'binary',
)

const shared = () => {
  const item = { n: 1 }
  return { a: item, b: [item] }
}
const cyclic = () => {
  const node: Record<string, unknown> = { name: 'loop' }
  node.self = node
  return node
}
const holey = () => {
  const list = [1]
  list[2] = 3
  return list
}

const HOSTILE: Hostile[] = [
  ['a function', () => () => 1, /is a function/],
  ['a symbol', () => Symbol('s'), /is a symbol/],
  ['a class instance', () => new (class Point {})(), /instance of Point/],
  ['an Error', () => new TypeError('t'), /instance of TypeError/],
  ['a boxed number', () => Object(1), /instance of Number/],
  ['a null-prototype object', () => Object.create(null), /null-prototype object/],
  ['a shared reference', shared, /\.b\[0\] is an object already stored/],
  ['a cycle', cyclic, /\.self refers back to itself/],
  ['a hole', holey, /\[1\] is a hole/],
  ['an own __proto__ key', () => JSON.parse('{"__proto__": 1}'), /own "__proto__" key/],
  ['a lone surrogate', () => 'a\uD800', /lone UTF-16 surrogate/],
  ['a lone surrogate key', () => ({ 'k\uDC00': 1 }), /lone UTF-16 surrogate/],
  ...PROPERTY_HOSTILES,
  ['a frozen object', () => Object.freeze({ a: 1 }), /frozen/],
  ['a frozen array', () => Object.freeze([1]), /array with symbol keys or a lock/],
  [
    'a Map with an own property',
    () => Object.assign(new Map(), { x: 1 }),
    /Map with own properties/,
  ],
  [
    'a Date with an own property',
    () => Object.assign(new Date(0), { x: 1 }),
    /Date with own properties/,
  ],
  [
    'a RegExp mid-match',
    () => Object.assign(/a/g, { lastIndex: 2 }),
    /RegExp with own properties, a lock or a lastIndex/,
  ],
  ['a WeakSet', () => new WeakSet(), /instance of WeakSet/],
]

describe('msgpackSerializer round-trips exactly or refuses', () => {
  serializerContract(serializer, MSGPACK, HOSTILE)

  test('keeps -0 anywhere, including at the top and inside Maps and Sets', () => {
    const value = { zero: -0, list: [-0, 0], set: new Set([-0.5]), map: new Map([['k', -0]]) }
    expect(firstDifference(value, roundTrip(value))).toBeUndefined()
    expect(Object.is(roundTrip(-0), -0)).toBe(true)
    expect(Object.is(roundTrip(0), 0)).toBe(true)
  })

  test('round-trips Date, Map, Set, BigInt and typed arrays with their types', () => {
    const value = {
      date: new Date('2026-01-02T03:04:05.678Z'),
      map: new Map<unknown, unknown>([
        ['a', 1],
        [2, { nested: new Set([1, 'x']) }],
      ]),
      big: 12345678901234567890123n,
      bytes: new Uint8Array([0, 1, 255]),
      buffer: Buffer.from('hi'),
      floats: new Float64Array([1.5, -0, Number.NaN]),
      nothing: undefined,
    }
    const decoded = roundTrip(value) as typeof value
    expect(firstDifference(value, decoded)).toBeUndefined()
    expect(decoded.map).toBeInstanceOf(Map)
    expect(decoded.buffer).toBeInstanceOf(Buffer)
  })

  test('leaves the caller value untouched and copies only what it wraps', () => {
    const inner = { zero: -0 }
    const value = { inner, plain: { a: 1 } }
    serializer.serialize(value)
    expect(value.inner).toBe(inner)
    expect(Object.is(inner.zero, -0)).toBe(true)
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
