import { deserialize, serialize } from 'node:v8'
import type { Serializer } from '../serializer.js'
import { assertLosslessStructured } from './check-lossless.js'

/**
 * The default serializer: Node's structured serialization (`node:v8`), the same
 * algorithm as `structuredClone`. Round-trips `Date`, `Map`, `Set`, `BigInt`, typed
 * arrays, `RegExp`, errors, `undefined`, `NaN`, `-0` and shared or cyclic references.
 * Refuses (with a `SerializationError` naming the key) what it would silently alter:
 * class instances, functions, symbols, getters. Decoding never runs code.
 *
 * Payloads are Node-only, and an older Node major may not read what a newer one
 * wrote (such a read is a counted decode miss). See `docs/serialization.md`.
 *
 * @example
 * ```ts
 * const cache = createCache({ tiers: [memory(), redisStore({ url })], serializer: structuredSerializer })
 * ```
 */
export const structuredSerializer: Serializer = {
  name: 'v8',
  id: 2,
  serialize(value) {
    assertLosslessStructured(value)
    return serialize(value)
  },
  deserialize(bytes) {
    return deserialize(bytes)
  },
}
