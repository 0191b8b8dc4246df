import type { Serializer } from '../serializer.js'
import { forEachOwnProperty } from './own-properties.js'
import { describeKind, ValuePath } from './value-path.js'

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

/**
 * JSON, for payloads other languages must read. It accepts exactly what JSON gives back
 * unchanged: `null`, booleans, finite numbers other than `-0`, strings, arrays without
 * holes and plain objects, as a tree. Everything JSON would alter is refused with the
 * path: `undefined` (omitted or turned into `null`), `NaN`, `±Infinity` and `-0`,
 * `BigInt`, `Date` (it would come back as a string), `Map`, `Set`, typed arrays, class
 * instances and null-prototype objects, functions, symbols, symbol-keyed, non-enumerable
 * and accessor properties, frozen or sealed objects and arrays, array holes, and shared
 * or cyclic references (JSON would copy or fail on them). Not checked, for speed: named
 * properties and accessor elements of arrays.
 *
 * @example
 * ```ts
 * const cache = createCache({ tiers: [memory(), redisStore({ url })], serializer: jsonSerializer })
 * ```
 */
export const jsonSerializer: Serializer = {
  name: 'json',
  id: 1,
  serialize(value) {
    assertJsonExact(value, ValuePath.root, new Set())
    return encoder.encode(JSON.stringify(value))
  },
  deserialize(bytes) {
    return JSON.parse(decoder.decode(bytes))
  },
}

function assertJsonExact(value: unknown, path: ValuePath, seen: Set<object>): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return
    case 'number':
      if (!Number.isFinite(value) || Object.is(value, -0)) {
        throw new TypeError(
          `${path} is ${Object.is(value, -0) ? '-0' : value}, which JSON cannot represent`,
        )
      }
      return
    case 'object':
      if (value === null) return
      break
    default:
      throw new TypeError(
        `${path} is ${typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`}, which JSON cannot represent`,
      )
  }
  if (seen.has(value)) {
    throw new TypeError(
      `${path} refers to an object already stored; JSON would copy it or fail on the cycle`,
    )
  }
  seen.add(value)
  const prototype = Object.getPrototypeOf(value)
  const isArray = prototype === Array.prototype && Array.isArray(value)
  if (!isArray && prototype !== Object.prototype) {
    const kind =
      value instanceof Date ? 'a Date (JSON would store its ISO string)' : describeKind(value)
    throw new TypeError(`${path} is ${kind}, which JSON cannot represent`)
  }
  if (isArray) {
    assertJsonArray(value as unknown[], path, seen)
    return
  }
  const integrity = forEachOwnProperty(value, path, (key, member) =>
    assertJsonChild(member, path, key, seen),
  )
  if (integrity !== 'none') {
    throw new TypeError(`${path} is frozen, sealed or non-extensible, which JSON would not keep`)
  }
}

/**
 * Elements are read, not inspected: listing an array's own keys makes a string per index
 * and costs several times `JSON.stringify` itself. Named properties and accessor or
 * read-only elements are therefore not checked (see docs/serialization.md).
 */
function assertJsonArray(array: unknown[], path: ValuePath, seen: Set<object>): void {
  if (Object.getOwnPropertySymbols(array).length > 0 || !Object.isExtensible(array)) {
    throw new TypeError(`${path} is an array with symbol keys or a lock, which JSON would not keep`)
  }
  for (let i = 0; i < array.length; i++) {
    if (!(i in array)) throw new TypeError(`${path.child(i)} is a hole, which JSON turns into null`)
    assertJsonChild(array[i], path, i, seen)
  }
}

/** Checks `value`, the `key` child of `parent`, building its path only when it is needed. */
function assertJsonChild(
  value: unknown,
  parent: ValuePath,
  key: string | number,
  seen: Set<object>,
): void {
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return
  if (typeof value === 'number' && Number.isFinite(value) && !Object.is(value, -0)) return
  assertJsonExact(value, parent.child(key), seen)
}
