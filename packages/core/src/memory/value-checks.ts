import { InvalidOptionError, SerializationError } from '../errors.js'

/** Calls the tier's `sizeOf` and checks what it returns. */
export function measure<V>(
  sizeOf: (value: V, key: string) => number,
  value: V,
  key: string,
): number {
  const bytes = sizeOf(value, key)
  if (typeof bytes !== 'number' || !Number.isFinite(bytes) || bytes < 0) {
    throw new InvalidOptionError(
      'sizeOf',
      `sizeOf must return a finite number >= 0, got ${String(bytes)} for key "${key}"`,
    )
  }
  return bytes
}

/** `structuredClone`, with a clone failure reported as a `SerializationError` naming the key. */
export function cloneValue<V>(value: V, key: string): V {
  try {
    return structuredClone(value)
  } catch (error) {
    throw new SerializationError(`value for key "${key}" cannot be cloned`, key, error)
  }
}
