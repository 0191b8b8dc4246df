/** Bytes counted per slot of an array or object, and per number-like value. */
const SLOT_BYTES = 8

/**
 * The default `sizeOf` of a memory tier with `maxBytes`: a rough, deterministic estimate
 * of the memory `value` and its `key` hold, walking objects, arrays, maps and sets
 * (each object once, so cycles are safe). Strings count 2 bytes per UTF-16 unit, numbers
 * 8, binary data its `byteLength`, containers 8 bytes per slot on top of their contents.
 *
 * The walk costs time proportional to the value on every `set`; pass your own `sizeOf`
 * when you know a cheaper or more exact measure.
 *
 * @example
 * ```ts
 * estimateSize({ id: 1, name: 'Ada' }, 'user:1') // 54: 12 for the key, 42 for the value
 * ```
 */
export function estimateSize(value: unknown, key: string): number {
  return 2 * key.length + sizeOfValue(value, new Set())
}

function sizeOfValue(value: unknown, seen: Set<object>): number {
  switch (typeof value) {
    case 'string':
      return 2 * value.length
    case 'object':
      return value === null ? 0 : sizeOfObject(value, seen)
    case 'undefined':
      return 0
    case 'bigint':
      return SLOT_BYTES + Math.ceil(value.toString(16).length / 2)
    default:
      return SLOT_BYTES
  }
}

function sizeOfObject(value: object, seen: Set<object>): number {
  if (seen.has(value)) return 0
  seen.add(value)
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value.byteLength
  if (value instanceof Date) return SLOT_BYTES
  let total = 0
  if (value instanceof Map) {
    for (const [entryKey, entryValue] of value) {
      total += SLOT_BYTES + sizeOfValue(entryKey, seen) + sizeOfValue(entryValue, seen)
    }
    return total
  }
  if (value instanceof Set) {
    for (const member of value) total += SLOT_BYTES + sizeOfValue(member, seen)
    return total
  }
  if (Array.isArray(value)) {
    for (const item of value) total += SLOT_BYTES + sizeOfValue(item, seen)
    return total
  }
  for (const [property, propertyValue] of Object.entries(value)) {
    total += SLOT_BYTES + 2 * property.length + sizeOfValue(propertyValue, seen)
  }
  return total
}
