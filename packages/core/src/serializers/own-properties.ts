import type { ValuePath } from './value-path.js'

/** How far an object is locked, as `Object.freeze`, `Object.seal` or `Object.preventExtensions` leave it. */
export type IntegrityLevel = 'none' | 'prevent-extensions' | 'seal' | 'freeze'

/**
 * Decides whether an own property that is not a plain enumerable data property is
 * acceptable anyway (an error's `stack` accessor, its non-enumerable `message`).
 */
export type HiddenPropertyRule = (key: string, descriptor: PropertyDescriptor) => boolean

/** Receives each own property: its key, its value (`undefined` for an accepted accessor), its enumerability. */
export type PropertyVisitor = (key: string, value: unknown, enumerable: boolean) => void

const NONE: HiddenPropertyRule = () => false

/**
 * Calls `visit` for each own property of `object` in property order and returns its
 * integrity level, throwing a `TypeError` that names the path for what a copy made of
 * plain data properties would not reproduce: symbol keys, accessors and non-enumerable
 * properties (unless `allowHidden` accepts them), and read-only or non-configurable
 * properties that no integrity level (`Object.freeze`, `Object.seal`,
 * `Object.preventExtensions`) explains.
 *
 * `Object.keys` is served from V8's enum cache, so the common case (only enumerable
 * properties) costs two key listings and a descriptor per property.
 *
 * @example
 * ```ts
 * forEachOwnProperty(Object.freeze({ a: 1 }), ValuePath.root, () => {}) // 'freeze'
 * forEachOwnProperty({ get x() { return 1 } }, ValuePath.root, () => {}) // throws: $.x is an accessor
 * ```
 */
export function forEachOwnProperty(
  object: object,
  path: ValuePath,
  visit: PropertyVisitor,
  allowHidden: HiddenPropertyRule = NONE,
): IntegrityLevel {
  const symbols = Object.getOwnPropertySymbols(object)
  if (symbols.length > 0) {
    throw new TypeError(
      `${path} has a symbol-keyed property (${String(symbols[0])}), which would be lost`,
    )
  }
  const enumerableKeys = Object.keys(object)
  const allKeys = Object.getOwnPropertyNames(object)
  const keys = allKeys.length === enumerableKeys.length ? enumerableKeys : allKeys
  let data = 0
  let readOnly = 0
  let fixed = 0
  for (const key of keys) {
    const descriptor = Object.getOwnPropertyDescriptor(object, key) as PropertyDescriptor
    const isData = !('get' in descriptor || 'set' in descriptor)
    if (!(isData && descriptor.enumerable) && !allowHidden(key, descriptor)) {
      const what = isData ? 'a non-enumerable property' : 'an accessor (getter/setter)'
      throw new TypeError(`${path.child(key)} is ${what}, which would be lost`)
    }
    if (isData) {
      data++
      if (descriptor.writable === false) readOnly++
    }
    if (descriptor.configurable === false) fixed++
    visit(key, descriptor.value, descriptor.enumerable === true)
  }
  const extensible = Object.isExtensible(object)
  if (extensible && readOnly === 0 && fixed === 0) return 'none'
  if (!extensible) {
    if (fixed === keys.length && readOnly === data) return 'freeze'
    if (fixed === keys.length && readOnly === 0) return 'seal'
    if (fixed === 0 && readOnly === 0) return 'prevent-extensions'
  }
  throw new TypeError(
    `${path} has read-only or non-configurable properties that Object.freeze / Object.seal do not explain, which would be lost`,
  )
}
