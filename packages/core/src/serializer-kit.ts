/**
 * Helpers for serializer authors (`@stack/core/serializer-kit`): walk a value's own
 * properties the way the built-in serializers do, refusing with a path what a copy of
 * plain data properties would lose.
 *
 * @example
 * ```ts
 * import { forEachOwnProperty, ValuePath } from '@stack/core/serializer-kit'
 *
 * const level = forEachOwnProperty({ a: 1 }, ValuePath.root, (key, value) => console.log(key, value))
 * // logs "a 1"; level is 'none' (not frozen, sealed or non-extensible)
 * ```
 */
export { TYPED_ARRAY_PROTOTYPES } from './serializers/builtins.js'
export {
  forEachOwnProperty,
  type HiddenPropertyRule,
  type IntegrityLevel,
  type PropertyVisitor,
} from './serializers/own-properties.js'
export { describeKind, type PathStep, typeName, ValuePath } from './serializers/value-path.js'
