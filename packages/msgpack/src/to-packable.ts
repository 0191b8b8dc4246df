import {
  forEachOwnProperty,
  type PathStep,
  TYPED_ARRAY_PROTOTYPES,
  typeName,
  ValuePath,
} from '@stack/core/serializer-kit'
import { NEGATIVE_ZERO, PackedMap, PackedSet } from './extensions.js'

/** In `u` mode a surrogate pair is one code point, so only lone surrogates match. */
const LONE_SURROGATE = /\p{Cs}/u

/** Built-ins msgpackr (with `moreTypes`) restores by their contents alone. */
const BINARY_PROTOTYPES = new Set<object>([
  ...TYPED_ARRAY_PROTOTYPES,
  DataView.prototype,
  ArrayBuffer.prototype,
])

/**
 * `value` in the shape msgpackr packs exactly (Maps, Sets and `-0` wrapped), or a
 * `TypeError` naming the path of the first thing msgpack would lose. Objects are copied
 * only when something inside them had to be wrapped.
 */
export function toPackable(value: unknown): unknown {
  return new Packing().convert(value, ValuePath.root)
}

class Packing {
  readonly #seen = new Set<object>()
  readonly #ancestors = new Set<object>()

  /** Converts `value`, the `step` child of `parent`, building its path only when needed. */
  #child(value: unknown, parent: ValuePath, step: PathStep): unknown {
    switch (typeof value) {
      case 'number':
        return Object.is(value, -0) ? NEGATIVE_ZERO : value
      case 'boolean':
      case 'bigint':
      case 'undefined':
        return value
      case 'string':
        if (!LONE_SURROGATE.test(value)) return value
    }
    return value === null ? null : this.convert(value, parent.child(step))
  }

  convert(value: unknown, path: ValuePath): unknown {
    switch (typeof value) {
      case 'function':
      case 'symbol':
        throw new TypeError(`${path} is a ${typeof value}, which msgpack cannot represent`)
      case 'string':
        if (LONE_SURROGATE.test(value)) {
          throw new TypeError(
            `${path} holds a lone UTF-16 surrogate, which msgpack (UTF-8) would turn into U+FFFD`,
          )
        }
        return value
      case 'object':
        if (value === null) return null
        break
      default:
        return Object.is(value, -0) ? NEGATIVE_ZERO : value
    }
    if (this.#ancestors.has(value)) {
      throw new TypeError(`${path} refers back to itself; msgpack cannot hold cycles`)
    }
    if (this.#seen.has(value)) {
      throw new TypeError(
        `${path} is an object already stored elsewhere in the value; msgpack would store two copies`,
      )
    }
    this.#seen.add(value)
    this.#ancestors.add(value)
    const packed = this.#object(value, path)
    this.#ancestors.delete(value)
    return packed
  }

  #object(value: object, path: ValuePath): unknown {
    const prototype = Object.getPrototypeOf(value) as object | null
    if (prototype === Object.prototype) return this.#plainObject(value, path)
    if (prototype === Array.prototype) return this.#array(value as unknown[], path)
    const locked = !Object.isExtensible(value) || Object.getOwnPropertySymbols(value).length > 0
    if (BINARY_PROTOTYPES.has(prototype as object)) {
      // Named properties of typed arrays are not checked: listing them lists every index.
      const named = value instanceof DataView || value instanceof ArrayBuffer
      if (locked || (named && Reflect.ownKeys(value).length > 0)) this.#extraState(value, path)
      return value
    }
    if (prototype === Date.prototype) {
      if (locked || Reflect.ownKeys(value).length > 0) this.#extraState(value, path)
      return value
    }
    if (prototype === RegExp.prototype) {
      if ((value as RegExp).lastIndex !== 0 || locked || Reflect.ownKeys(value).length !== 1) {
        this.#extraState(value, path)
      }
      return value
    }
    if (prototype === Map.prototype || prototype === Set.prototype) {
      if (locked || Reflect.ownKeys(value).length > 0) this.#extraState(value, path)
      return this.#collection(value as Map<unknown, unknown> | Set<unknown>, path)
    }
    const what =
      prototype === null ? 'a null-prototype object' : `an instance of ${typeName(value)}`
    throw new TypeError(`${path} is ${what}; msgpack would bring it back as something else`)
  }

  #plainObject(object: object, path: ValuePath): object {
    let copy: Record<string, unknown> | undefined
    const integrity = forEachOwnProperty(object, path, (key, member) => {
      if (key === '__proto__') {
        throw new TypeError(
          `${path.child(key)} is an own "__proto__" key, which msgpackr renames when reading`,
        )
      }
      if (LONE_SURROGATE.test(key)) {
        throw new TypeError(
          `${path.child(key)} has a key with a lone UTF-16 surrogate, which msgpack (UTF-8) would alter`,
        )
      }
      const packed = this.#child(member, path, key)
      if (packed !== member && copy === undefined) copy = { ...object }
      if (copy !== undefined) copy[key] = packed
    })
    if (integrity !== 'none') {
      throw new TypeError(
        `${path} is frozen, sealed or non-extensible, which msgpack would not keep`,
      )
    }
    return copy ?? object
  }

  /**
   * Elements are read, not inspected: listing an array's own keys makes a string per index.
   * Named properties and accessor or read-only elements are therefore not checked.
   */
  #array(array: unknown[], path: ValuePath): unknown[] {
    if (Object.getOwnPropertySymbols(array).length > 0 || !Object.isExtensible(array)) {
      throw new TypeError(
        `${path} is an array with symbol keys or a lock, which msgpack would not keep`,
      )
    }
    let copy: unknown[] | undefined
    for (let i = 0; i < array.length; i++) {
      if (!(i in array))
        throw new TypeError(`${path.child(i)} is a hole, which msgpack turns into undefined`)
      const member = array[i]
      const packed = this.#child(member, path, i)
      if (packed !== member && copy === undefined) copy = array.slice()
      if (copy !== undefined) copy[i] = packed
    }
    return copy ?? array
  }

  #collection(collection: Map<unknown, unknown> | Set<unknown>, path: ValuePath): unknown {
    if (collection instanceof Set) {
      return new PackedSet(
        [...collection].map((member, i) => this.#child(member, path, { label: `<member ${i}>` })),
      )
    }
    return new PackedMap(
      [...collection].map(([key, member], i) => [
        this.#child(key, path, { label: `<key ${i}>` }),
        this.#child(member, path, { label: `<value ${i}>` }),
      ]),
    )
  }

  #extraState(value: object, path: ValuePath): never {
    throw new TypeError(
      `${path} is a ${typeName(value)} with own properties, a lock or a lastIndex, which msgpack would drop`,
    )
  }
}
