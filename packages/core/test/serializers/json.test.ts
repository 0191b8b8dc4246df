import { describe, expect, test } from 'vitest'
import { jsonSerializer } from '../../src/index.js'
import { profileOf } from './arbitraries.js'
import { type Hostile, PROPERTY_HOSTILES, serializerContract } from './contract.js'
import { firstDifference } from './exact-equal.js'

const json = (value: unknown) => jsonSerializer.deserialize(jsonSerializer.serialize(value))

/** What JSON gives back unchanged: a tree of plain objects, arrays, strings, finite numbers. */
const JSON_EXACT = profileOf('loneSurrogates', 'protoKey')

const shared = () => {
  const item = { n: 1 }
  return { a: item, b: item }
}
const cyclic = () => {
  const node: Record<string, unknown> = {}
  node.self = node
  return node
}

const HOSTILE: Hostile[] = [
  ['a Date', () => new Date(0), /a Date \(JSON would store its ISO string\)/],
  ['undefined in an object', () => ({ gone: undefined }), /\.gone is undefined/],
  ['undefined in an array', () => [undefined], /\[0\] is undefined/],
  ['NaN', () => Number.NaN, /is NaN/],
  ['Infinity', () => Number.NEGATIVE_INFINITY, /is -Infinity/],
  ['-0', () => -0, /is -0/],
  ['a BigInt', () => 1n, /is a bigint/],
  ['a Map', () => new Map(), /instance of Map/],
  ['a Set', () => new Set([1]), /instance of Set/],
  ['a Uint8Array', () => new Uint8Array(2), /instance of Uint8Array/],
  ['a RegExp', () => /x/, /instance of RegExp/],
  ['an Error', () => new Error('e'), /instance of Error/],
  ['a boxed number', () => Object(1), /instance of Number/],
  ['a null-prototype object', () => Object.create(null), /exotic object/],
  ['a class instance', () => new (class Point {})(), /instance of Point/],
  ['a function', () => () => 1, /is a function/],
  ['a toJSON method', () => ({ toJSON: () => 'x' }), /toJSON is a function/],
  ['a symbol', () => Symbol('s'), /is a symbol/],
  ...PROPERTY_HOSTILES,
  ['a frozen object', () => Object.freeze({ a: 1 }), /frozen/],
  [
    'an array hole',
    () => {
      const holey = [1]
      holey[2] = 3
      return holey
    },
    /\[1\] is a hole/,
  ],
  ['a frozen array', () => Object.freeze([1]), /array with symbol keys or a lock/],
  ['a shared reference', shared, /\.b refers to an object already stored/],
  ['a cycle', cyclic, /\.self refers to an object already stored/],
]

describe('jsonSerializer round-trips exactly or refuses', () => {
  serializerContract(jsonSerializer, JSON_EXACT, HOSTILE)

  test('refuses undefined at the top level', () => {
    expect(() => jsonSerializer.serialize(undefined)).toThrow(/\$ is undefined/)
  })

  test('keeps an own __proto__ key as data', () => {
    const value = JSON.parse('{"__proto__": {"x": 1}, "b": [1, "two"]}')
    expect(firstDifference(value, json(value))).toBeUndefined()
  })

  test('rejects invalid UTF-8 and malformed JSON', () => {
    expect(() => jsonSerializer.deserialize(new Uint8Array([0xff, 0xfe]))).toThrow()
    expect(() => jsonSerializer.deserialize(new TextEncoder().encode('{"a":'))).toThrow()
  })
})
