import { describe, expect, test } from 'vitest'
import { jsonSerializer, structuredSerializer } from '../src/index.js'

const roundTrip = (value: unknown) =>
  structuredSerializer.deserialize(structuredSerializer.serialize(value))

describe('structuredSerializer (the default)', () => {
  test('round-trips Date, Map, Set, BigInt and typed arrays losslessly', () => {
    const value = {
      date: new Date('2026-01-02T03:04:05.678Z'),
      map: new Map<unknown, unknown>([
        [1, 'one'],
        ['nested', new Set([new Date(0), 2n])],
      ]),
      set: new Set(['a', 'b']),
      big: 2n ** 100n,
      bytes: new Uint8Array([0, 128, 255]),
      floats: new Float32Array([1.5, -0]),
      view: new DataView(new ArrayBuffer(4)),
      special: [Number.NaN, -0, Number.POSITIVE_INFINITY, undefined, null],
      regexp: /a+b/gi,
    }
    const decoded = roundTrip(value) as typeof value
    expect(decoded).toEqual(value)
    expect(decoded.date).toBeInstanceOf(Date)
    expect(decoded.map.get('nested')).toBeInstanceOf(Set)
    expect(decoded.floats).toBeInstanceOf(Float32Array)
    expect(Object.is(decoded.special[1], -0)).toBe(true)
  })

  test('keeps shared and cyclic references', () => {
    const node: { next?: unknown } = {}
    node.next = node
    const decoded = roundTrip({ a: node, b: node }) as { a: { next: unknown }; b: unknown }
    expect(decoded.a).toBe(decoded.b)
    expect(decoded.a.next).toBe(decoded.a)
  })

  test('refuses class instances, whose prototype would be lost', () => {
    class User {
      constructor(readonly name: string) {}
    }
    expect(() => structuredSerializer.serialize({ user: new User('ada') })).toThrow(
      /\$\.user is an instance of User/,
    )
  })

  test('refuses functions, symbols and getters with the path', () => {
    expect(() => structuredSerializer.serialize({ list: [1, () => 2] })).toThrow(
      /\$\.list\.1 is a function/,
    )
    expect(() => structuredSerializer.serialize(new Map([['k', Symbol('s')]]))).toThrow(/symbol/)
    const withGetter = Object.defineProperty({}, 'computed', { get: () => 1, enumerable: true })
    expect(() => structuredSerializer.serialize(withGetter)).toThrow(/getter/)
  })

  test('accepts errors and null-prototype objects', () => {
    const bare = Object.assign(Object.create(null), { a: 1 })
    expect(roundTrip(bare)).toEqual({ a: 1 })
    expect((roundTrip(new TypeError('boom')) as Error).message).toBe('boom')
  })
})

describe('jsonSerializer', () => {
  const json = (value: unknown) => jsonSerializer.deserialize(jsonSerializer.serialize(value))

  test('round-trips plain JSON data', () => {
    const value = { a: [1, 'two', { three: true }], n: null }
    expect(json(value)).toEqual(value)
  })

  test('refuses what JSON would silently mangle', () => {
    expect(() => jsonSerializer.serialize({ m: new Map() })).toThrow(/property "m" is a Map/)
    expect(() => jsonSerializer.serialize({ s: new Set() })).toThrow(/Set/)
    expect(() => jsonSerializer.serialize({ b: new Uint8Array(2) })).toThrow(/Uint8Array/)
    expect(() => jsonSerializer.serialize({ big: 1n })).toThrow(/bigint/)
    expect(() => jsonSerializer.serialize({ f: () => 1 })).toThrow(/function/)
    expect(() => jsonSerializer.serialize([Number.NaN])).toThrow(/NaN/)
    expect(() => jsonSerializer.serialize(undefined)).toThrow(/undefined/)
  })

  test('rejects invalid UTF-8 and malformed JSON', () => {
    expect(() => jsonSerializer.deserialize(new Uint8Array([0xff, 0xfe]))).toThrow()
    expect(() => jsonSerializer.deserialize(new TextEncoder().encode('{"a":'))).toThrow()
  })
})
