import { expect } from 'vitest'

/**
 * Stored values compare by their bytes: the store answers with the client's `Buffer`s
 * (a `Uint8Array` subclass), which vitest would otherwise tell apart from an expected
 * plain `Uint8Array` of the same bytes.
 */
expect.addEqualityTesters([
  function sameBytes(a: unknown, b: unknown): boolean | undefined {
    if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array)) return undefined
    return Buffer.compare(a, b) === 0
  },
])
