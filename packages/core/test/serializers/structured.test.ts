import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { EnvelopeCodec, structuredSerializer } from '../../src/index.js'
import { ALL_KINDS, profileOf, roundTrippable } from './arbitraries.js'
import { type Hostile, PROPERTY_HOSTILES, serializerContract } from './contract.js'
import { firstDifference } from './exact-equal.js'

const roundTrip = (value: unknown) =>
  structuredSerializer.deserialize(structuredSerializer.serialize(value))
const codec = new EnvelopeCodec({ serializer: structuredSerializer, compressThreshold: 256 })
const entry = (value: unknown) => ({ value, createdAt: 0, freshUntil: 1, staleUntil: 2, tags: [] })

/** Everything the default serializer promises to round-trip. */
const STRUCTURED = profileOf(...ALL_KINDS)

class User {
  constructor(readonly name: string) {}
}
class NotFoundError extends Error {
  readonly code = 'E_NOT_FOUND'
}

const HOSTILE: Hostile[] = [
  ['a function', () => () => 1, /is a function/],
  ['a symbol', () => Symbol('s'), /is a symbol/],
  ['a class instance', () => new User('ada'), /is an instance of User/],
  ['an Error subclass', () => new NotFoundError('gone'), /is an instance of NotFoundError/],
  ['an AggregateError', () => new AggregateError([], 'many'), /instance of AggregateError/],
  ...PROPERTY_HOSTILES,
  [
    'one read-only property',
    () => Object.defineProperty({ a: 1 }, 'b', { value: 2, enumerable: true }),
    /read-only/,
  ],
  [
    'a Map with an own property',
    () => Object.assign(new Map(), { extra: 1 }),
    /Map with own properties/,
  ],
  [
    'a Date with an own property',
    () => Object.assign(new Date(0), { tz: 'UTC' }),
    /Date with own properties/,
  ],
  ['a frozen Map', () => Object.freeze(new Map()), /Map with own properties or a lock/],
  ['a RegExp mid-match', () => Object.assign(/a/g, { lastIndex: 3 }), /lastIndex 3/],
  [
    'an error with a numeric message',
    () => Object.assign(new Error(), { message: 5 }),
    /message is not a string/,
  ],
  [
    'a TypeError renamed',
    () => Object.assign(new TypeError('t'), { name: 'Oops' }),
    /restore it as Error/,
  ],
  [
    'an Error named RangeError',
    () => Object.assign(new Error('e'), { name: 'RangeError' }),
    /restore it as RangeError/,
  ],
  [
    'an error without a stack',
    () => {
      const e = new Error('x')
      delete e.stack
      return e
    },
    /without a string stack/,
  ],
  ['a SharedArrayBuffer', () => new SharedArrayBuffer(4), /SharedArrayBuffer/],
  [
    'a Uint8Array over shared memory',
    () => new Uint8Array(new SharedArrayBuffer(4)),
    /SharedArrayBuffer/,
  ],
  ['a symbol on an array', () => Object.assign([1], { [Symbol('s')]: 1 }), /symbol-keyed/],
  ['a non-extensible array', () => Object.preventExtensions([1]), /neither frozen nor sealed/],
  ['a WeakMap', () => new WeakMap(), /instance of WeakMap/],
  ['a Promise', () => Promise.resolve(1), /instance of Promise/],
]

describe('structuredSerializer (the default) round-trips exactly', () => {
  serializerContract(structuredSerializer, STRUCTURED, HOSTILE)

  test('property: through the envelope too, deflated or not', () => {
    fc.assert(
      fc.property(roundTrippable(STRUCTURED), (value) => {
        expect(
          firstDifference(value, codec.decode('k', codec.encode('k', entry(value))).value),
        ).toBeUndefined()
      }),
      { numRuns: 300 },
    )
  }, 60_000)

  test('keeps null prototypes, Object.groupBy results included', () => {
    const { groupBy } = Object as unknown as {
      groupBy: <T>(items: T[], key: (item: T) => string) => Record<string, T[]>
    }
    const groups = groupBy([1, 2, 3], (n) => (n % 2 ? 'odd' : 'even'))
    const decoded = roundTrip({ groups })
    expect(firstDifference({ groups }, decoded)).toBeUndefined()
    expect(Object.getPrototypeOf((decoded as { groups: object }).groups)).toBeNull()
  })

  test('keeps an error with its code, extra fields, custom name and cause', () => {
    const error = Object.assign(new RangeError('out', { cause: new Error('inner') }), {
      code: 'E_RANGE',
      limit: 10n,
    })
    const named = Object.assign(new Error('nope'), { name: 'NotFoundError', status: 404 })
    const decoded = roundTrip([error, named]) as [RangeError & { code: string }, Error]
    expect(firstDifference([error, named], decoded)).toBeUndefined()
    expect(decoded[0]).toBeInstanceOf(RangeError)
    expect(decoded[0].code).toBe('E_RANGE')
    expect(decoded[1].name).toBe('NotFoundError')
  })

  test('keeps frozen, sealed and non-extensible objects locked', () => {
    const value = {
      frozen: Object.freeze({ a: 1 }),
      sealed: Object.seal({ b: 2 }),
      closed: Object.preventExtensions({ c: 3 }),
      list: Object.freeze([1, 2]),
      bare: Object.freeze(Object.assign(Object.create(null), { d: 4 })),
    }
    const decoded = roundTrip(value) as typeof value
    expect(firstDifference(value, decoded)).toBeUndefined()
    expect(Object.isFrozen(decoded.bare)).toBe(true)
  })

  test('keeps an own __proto__ key as data, never as the prototype', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}')
    const decoded = roundTrip(value) as Record<string, unknown>
    expect(firstDifference(value, decoded)).toBeUndefined()
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  test('plain data is written as JSON text, everything else as node:v8 bytes', () => {
    expect(structuredSerializer.serialize({ a: [1, 'x', null, true, { b: '\u{1F600}' }] })[0]).toBe(
      0x02,
    )
    expect(structuredSerializer.serialize('text')[0]).toBe(0x02)
    expect(structuredSerializer.serialize(new Date(0))[0]).toBe(0xff)
    expect(structuredSerializer.serialize(Object.create(null))[0]).toBe(0x01)
  })

  // Each of these differs from what JSON would give back, so each must stay on node:v8.
  const shared = { s: 1 }
  const cyclic: Record<string, unknown> = {}
  cyclic.self = cyclic
  const JSON_ALTERS: [string, () => unknown][] = [
    ['undefined', () => undefined],
    ['an undefined property', () => ({ a: undefined })],
    ['NaN', () => ({ n: Number.NaN })],
    ['Infinity', () => [Number.POSITIVE_INFINITY]],
    ['-0', () => ({ z: -0 })],
    ['a bigint', () => ({ b: 1n })],
    ['a shared reference', () => ({ a: shared, b: shared })],
    ['a cycle', () => cyclic],
    [
      'a hole',
      () => {
        const holey = [1, 2, 3]
        delete holey[1]
        return holey
      },
    ],
    ['a named property on an array', () => Object.assign([1, 2], { extra: true })],
    ['an own __proto__ key', () => JSON.parse('{"__proto__": {"x": 1}}')],
    ['a long array', () => Array.from({ length: 2_000 }, (_, i) => i)],
    [
      'a large object',
      () => Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i])),
    ],
    ['a Map', () => ({ m: new Map([[1, 2]]) })],
    ['a frozen object', () => Object.freeze({ f: 1 })],
    ['a lone surrogate inside an undefined', () => [undefined, '\ud800']],
  ]
  test.each(JSON_ALTERS)('%s is not written as JSON, and round-trips exactly', (_, make) => {
    const value = make()
    const bytes = structuredSerializer.serialize(value)
    expect(bytes[0]).not.toBe(0x02)
    expect(firstDifference(value, structuredSerializer.deserialize(bytes))).toBeUndefined()
  })

  test('JSON text keeps lone surrogates, unicode keys and numbers exactly', () => {
    const value = { '\ud800': '\udfff', é: [0.1, 5e-324, -1.7976931348623157e308, 2 ** 53] }
    const bytes = structuredSerializer.serialize(value)
    expect(bytes[0]).toBe(0x02)
    expect(firstDifference(value, structuredSerializer.deserialize(bytes))).toBeUndefined()
  })

  test('a JSON payload that is not valid JSON is an error, never a value', () => {
    expect(() => structuredSerializer.deserialize(new Uint8Array([0x02, 0x7b]))).toThrow(
      /JSON|Unexpected|Expected/,
    )
  })

  test('rejects bytes it did not write, and malformed fixups', async () => {
    const { serialize } = await import('node:v8')
    const wrapped = (fixups: unknown) => {
      const body = serialize([{}, fixups])
      return new Uint8Array([0x01, ...body])
    }
    expect(() => structuredSerializer.deserialize(new Uint8Array([0x7b, 0x7d]))).toThrow()
    expect(() => structuredSerializer.deserialize(new Uint8Array([0x01, 0xff]))).toThrow()
    expect(() => structuredSerializer.deserialize(wrapped('nope'))).toThrow(/malformed/)
    expect(() => structuredSerializer.deserialize(wrapped([1, {}]))).toThrow(/malformed fixup list/)
    expect(() => structuredSerializer.deserialize(wrapped([9, {}, undefined]))).toThrow(
      /unknown fixup/,
    )
    expect(() => structuredSerializer.deserialize(wrapped([1, 'str', undefined]))).toThrow(
      /non-object/,
    )
    expect(() => structuredSerializer.deserialize(wrapped([2, {}, ['k']]))).toThrow(
      /malformed property/,
    )
  })
})
