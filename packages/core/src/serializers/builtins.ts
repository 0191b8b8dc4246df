/**
 * The prototypes of every standard typed array and of Node's `Buffer`: binary views that
 * node:v8 and msgpackr restore by type and contents.
 *
 * @example
 * ```ts
 * TYPED_ARRAY_PROTOTYPES.has(Object.getPrototypeOf(new Float32Array(2))) // true
 * ```
 */
export const TYPED_ARRAY_PROTOTYPES: ReadonlySet<object> = new Set<object>(
  [
    Int8Array,
    Uint8Array,
    Uint8ClampedArray,
    Int16Array,
    Uint16Array,
    Int32Array,
    Uint32Array,
    Float32Array,
    Float64Array,
    BigInt64Array,
    BigUint64Array,
    Buffer,
  ].map((type) => type.prototype),
)
