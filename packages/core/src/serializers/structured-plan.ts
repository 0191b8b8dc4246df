import { TYPED_ARRAY_PROTOTYPES } from './builtins.js'
import { forEachOwnProperty, type IntegrityLevel } from './own-properties.js'
import { describeKind, needsVisit, type PathStep, typeName, ValuePath } from './value-path.js'

/**
 * What node:v8 loses and the structured serializer restores after decoding, as a flat
 * list of `[kind, target, argument]` triples. Targets are objects inside the value:
 * serialized in the same call as the value, they come back as the very same objects.
 */
export const FIXUP = {
  nullPrototype: 1,
  /** argument: `[key, value, key, value, ...]`, own enumerable data properties to define. */
  properties: 2,
  preventExtensions: 3,
  seal: 4,
  freeze: 5,
} as const

const INTEGRITY_FIXUP: Record<Exclude<IntegrityLevel, 'none'>, number> = {
  'prevent-extensions': FIXUP.preventExtensions,
  seal: FIXUP.seal,
  freeze: FIXUP.freeze,
}

/** Errors node:v8 keeps, by the name it reads to pick the prototype it restores. */
const ERROR_PROTOTYPES = new Map<string, object>(
  [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError].map((type) => [
    type.name,
    type.prototype,
  ]),
)
const ERROR_PROTOTYPE_SET = new Set(ERROR_PROTOTYPES.values())

const VIEW_PROTOTYPES = new Set<object>([...TYPED_ARRAY_PROTOTYPES, DataView.prototype])

/** Built-ins node:v8 round-trips by their internal state; they must carry no own properties. */
const PROPERTYLESS_PROTOTYPES = new Set<object>([
  Date.prototype,
  Map.prototype,
  Set.prototype,
  ArrayBuffer.prototype,
  Number.prototype,
  Boolean.prototype,
  BigInt.prototype,
])

/** What a value needs to round-trip exactly: see {@link planStructured}. */
export interface StructuredPlan {
  /** Fixups the decoded copy needs (empty for plain data). */
  readonly fixups: unknown[]
  /**
   * Whether JSON round-trips the value exactly: a tree (no shared or cyclic reference)
   * of plain objects, dense arrays, strings, booleans, `null` and finite numbers other
   * than `-0`, needing no fixup. Such values take the faster JSON encoding.
   */
  readonly json: boolean
}

/**
 * Walks `value` and returns the fixups its decoded copy needs and whether JSON would
 * round-trip it exactly, or throws a `TypeError` naming the path of the first thing
 * node:v8 would drop or alter that no fixup restores. Cycles and shared references are
 * fine: v8 keeps them.
 */
export function planStructured(value: unknown): StructuredPlan {
  const planner = new Planner()
  planner.visitRoot(value)
  return { fixups: planner.fixups, json: planner.json && planner.fixups.length === 0 }
}

/**
 * Values (objects, elements, properties) past which a value stays on node:v8. JSON
 * decodes small values about three times faster (node:v8 pays a fixed cost per call),
 * but encodes large ones slower, and proving an array has no named property lists a
 * string per index.
 */
const JSON_MAX_VALUES = 256

/** Whether JSON keeps a primitive (or leaves it to the object checks) exactly. */
function jsonKeeps(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'object':
      return true
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0)
    default:
      return false
  }
}

class Planner {
  readonly fixups: unknown[] = []
  json = true
  #jsonBudget = JSON_MAX_VALUES
  readonly #seen = new Set<object>()

  visitRoot(value: unknown): void {
    if (!jsonKeeps(value)) this.json = false
    if (needsVisit(value)) this.visit(value, ValuePath.root)
  }

  /** Visits `value`, the `step` child of `parent`, building its path only when needed. */
  #child(value: unknown, parent: ValuePath, step: PathStep): void {
    if (this.json && (--this.#jsonBudget < 0 || !jsonKeeps(value))) this.json = false
    if (needsVisit(value)) this.visit(value, parent.child(step))
  }

  visit(value: unknown, path: ValuePath): void {
    if (typeof value === 'function' || typeof value === 'symbol') {
      throw new TypeError(`${path} is a ${typeof value}, which cannot be cached remotely`)
    }
    if (typeof value !== 'object' || value === null) return
    if (this.#seen.has(value)) {
      // JSON would write a shared object twice and cannot write a cycle.
      this.json = false
      return
    }
    this.#seen.add(value)
    const prototype = Object.getPrototypeOf(value) as object | null
    if (prototype !== Object.prototype && prototype !== Array.prototype) this.json = false
    if (prototype === Object.prototype || prototype === null) {
      if (prototype === null) this.fixups.push(FIXUP.nullPrototype, value, undefined)
      this.#plainObject(value, path)
    } else if (prototype === Array.prototype) {
      this.#array(value as unknown[], path)
    } else if (ERROR_PROTOTYPE_SET.has(prototype)) {
      this.#error(value as Error, prototype, path)
    } else if (VIEW_PROTOTYPES.has(prototype)) {
      this.#view(value as ArrayBufferView, path)
    } else if (PROPERTYLESS_PROTOTYPES.has(prototype)) {
      this.#propertyless(value, path)
    } else if (prototype === String.prototype) {
      // A String object's own keys are its indices and `length`.
      this.#requireNoExtraKeys(value, path, (value as { length: number }).length + 1)
    } else if (prototype === RegExp.prototype) {
      if ((value as RegExp).lastIndex !== 0) {
        throw new TypeError(
          `${path} is a RegExp with lastIndex ${(value as RegExp).lastIndex}, which would be reset to 0`,
        )
      }
      this.#requireNoExtraKeys(value, path, 1)
    } else if (prototype === SharedArrayBuffer.prototype) {
      throw new TypeError(`${path} is a SharedArrayBuffer; shared memory cannot be cached remotely`)
    } else {
      throw new TypeError(
        `${path} is ${describeKind(value)}; its class would be lost (store plain data or use a custom serializer)`,
      )
    }
  }

  #plainObject(object: object, path: ValuePath): void {
    const integrity = forEachOwnProperty(object, path, (key, value) => {
      // JSON.parse defines an own `__proto__`; keep such rare objects on node:v8.
      if (key === '__proto__') this.json = false
      this.#child(value, path, key)
    })
    this.#integrity(object, integrity)
  }

  /**
   * Elements are read, not inspected: per-index descriptors would cost more than the
   * serialization itself. Accessors, non-enumerable or read-only elements and named
   * properties of an extensible array are therefore not checked (see docs/serialization.md).
   */
  #array(array: unknown[], path: ValuePath): void {
    if (Object.getOwnPropertySymbols(array).length > 0) {
      throw new TypeError(`${path} has a symbol-keyed property, which would be lost`)
    }
    // JSON writes holes as null and drops named properties: both show in the key count.
    if (this.json && (array.length > this.#jsonBudget || !isDense(array))) this.json = false
    for (let i = 0; i < array.length; i++) this.#child(array[i], path, i)
    if (Object.isExtensible(array)) return
    const level = Object.isFrozen(array) ? 'freeze' : Object.isSealed(array) ? 'seal' : undefined
    if (level === undefined) {
      throw new TypeError(
        `${path} is a non-extensible array that is neither frozen nor sealed, which would be lost`,
      )
    }
    this.#integrity(array, level)
  }

  #error(error: Error, prototype: object, path: ValuePath): void {
    const restore: unknown[] = []
    let hasStack = false
    const integrity = forEachOwnProperty(
      error,
      path,
      (key, value, enumerable) => {
        if (key === 'stack') hasStack = true
        if (key === 'message' && typeof value !== 'string') {
          throw new TypeError(`${path}.message is not a string; node:v8 would turn it into one`)
        }
        this.#child(value, path, key)
        // v8 writes message, stack and cause non-enumerable; every other own property is lost.
        const keptByV8 = key === 'stack' || key === 'message' || key === 'cause'
        if (!keptByV8 || enumerable) restore.push(key, value)
      },
      (key, descriptor) =>
        key === 'stack' || ((key === 'message' || key === 'cause') && 'value' in descriptor),
    )
    // node:v8 picks the prototype it restores from the name alone (unknown names: Error).
    const name = String(error.name)
    const restoredAs = ERROR_PROTOTYPES.has(name) ? name : 'Error'
    if (ERROR_PROTOTYPES.get(restoredAs) !== prototype) {
      throw new TypeError(
        `${path} is ${describeKind(error)} named ${JSON.stringify(name)}; node:v8 would restore it as ${restoredAs}`,
      )
    }
    if (!hasStack || typeof error.stack !== 'string') {
      throw new TypeError(`${path} is an error without a string stack; node:v8 would give it one`)
    }
    if (restore.length > 0) this.fixups.push(FIXUP.properties, error, restore)
    this.#integrity(error, integrity)
  }

  #view(view: ArrayBufferView, path: ValuePath): void {
    if (view.buffer instanceof SharedArrayBuffer) {
      throw new TypeError(
        `${path} is a view of a SharedArrayBuffer; shared memory cannot be cached remotely`,
      )
    }
    // Named properties of typed arrays are not checked: listing them lists every index.
    if (Object.getOwnPropertySymbols(view).length > 0 || !Object.isExtensible(view)) {
      throw new TypeError(
        `${path} is a ${typeName(view)} with symbol keys or a lock, which would be lost`,
      )
    }
    if (view instanceof DataView) this.#requireNoExtraKeys(view, path, 0)
  }

  #propertyless(value: object, path: ValuePath): void {
    this.#requireNoExtraKeys(value, path, 0)
    if (value instanceof Map) {
      let index = 0
      for (const [key, member] of value) {
        this.#child(key, path, { label: `<key ${index}>` })
        this.#child(member, path, { label: `<value ${index++}>` })
      }
    } else if (value instanceof Set) {
      let index = 0
      for (const member of value) this.#child(member, path, { label: `<member ${index++}>` })
    }
  }

  /** node:v8 keeps only the internal state of these: own properties (beyond `count`) and locks are lost. */
  #requireNoExtraKeys(value: object, path: ValuePath, count: number): void {
    if (Reflect.ownKeys(value).length !== count || !Object.isExtensible(value)) {
      throw new TypeError(
        `${path} is a ${typeName(value)} with own properties or a lock, which node:v8 would drop`,
      )
    }
  }

  #integrity(target: object, level: IntegrityLevel): void {
    if (level !== 'none') this.fixups.push(INTEGRITY_FIXUP[level], target, undefined)
  }
}

/** An array with every index present and no named property. */
function isDense(array: unknown[]): boolean {
  for (let i = 0; i < array.length; i++) if (!Object.hasOwn(array, i)) return false
  return Object.keys(array).length === array.length
}
