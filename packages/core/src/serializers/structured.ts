import { deserialize, serialize } from 'node:v8'
import type { Serializer } from '../serializer.js'
import { assertLosslessStructured } from './check-lossless.js'

/** Why a structured payload may not decode, and what to do: said in every decode failure. */
const MIXED_RUNTIMES_HINT =
  'structuredSerializer (node:v8) payloads are readable only by Node, of the same or a newer major: ' +
  'if Bun, Deno, an older Node or another language shares this cache, configure every process with ' +
  'jsonSerializer or msgpackSerializer() from @stack/msgpack (docs/serialization.md)'

/**
 * The default serializer: Node's structured serialization (`node:v8`), the same
 * algorithm as `structuredClone`. Round-trips `Date`, `Map`, `Set`, `BigInt`, typed
 * arrays, `RegExp`, errors, `undefined`, `NaN`, `-0` and shared or cyclic references.
 * Refuses (with a `SerializationError` naming the key) what it would silently alter:
 * class instances, functions, symbols, getters. Decoding never runs code.
 *
 * Payloads are Node-only (Bun and Deno cannot read them), and an older Node major may
 * not read what a newer one wrote; such a read is a counted decode miss whose error says
 * which serializer to use instead. See `docs/serialization.md`.
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
    try {
      return deserialize(bytes)
    } catch (error) {
      throw new Error(`${(error as Error).message}. ${MIXED_RUNTIMES_HINT}`, { cause: error })
    }
  },
}
