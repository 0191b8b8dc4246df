import { deserialize, serialize } from 'node:v8'
import { bytesView } from '../checksum.js'
import type { Serializer } from '../serializer.js'
import { applyFixups } from './structured-fixups.js'
import { planStructured } from './structured-plan.js'

/** First byte of node:v8's own header; a payload starting with it needs no fixups. */
const V8_HEADER = 0xff
/** First byte of a payload holding `[value, fixups]` (see structured-plan.ts). */
const WITH_FIXUPS = 0x01
/** First byte of a payload holding UTF-8 JSON: plain data JSON round-trips exactly. */
const JSON_TEXT = 0x02

/** Why a structured payload may not decode, and what to do: said in every decode failure. */
const MIXED_RUNTIMES_HINT =
  'structuredSerializer (node:v8) payloads are readable only by Node, of the same or a newer major: ' +
  'if Bun, Deno, an older Node or another language shares this cache, configure every process with ' +
  'jsonSerializer or msgpackSerializer() from @stack/msgpack (docs/serialization.md)'

/**
 * The default serializer: Node's structured serialization (`node:v8`), the same
 * algorithm as `structuredClone`, plus what it loses and we restore: null prototypes,
 * own properties of errors (`code`, extra fields) and frozen, sealed or non-extensible
 * objects. Round-trips `Date`, `Map`, `Set`, `BigInt`, typed arrays, `RegExp`, standard
 * errors, `undefined`, `NaN`, `-0` and shared or cyclic references. Refuses (with a
 * `SerializationError` naming the key and the path) what it would alter: class
 * instances (custom `Error` subclasses included), functions, symbols, symbol-keyed,
 * non-enumerable and accessor properties. Decoding never runs code.
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
    const { fixups, json } = planStructured(value)
    // Small plain data decodes about three times faster from JSON than through node:v8.
    if (json) return jsonPayload(value)
    if (fixups.length === 0) return serialize(value)
    const body = serialize([value, fixups])
    const out = new Uint8Array(1 + body.byteLength)
    out[0] = WITH_FIXUPS
    out.set(body, 1)
    return out
  },
  deserialize(bytes) {
    try {
      if (bytes[0] === JSON_TEXT) return JSON.parse(textOf(bytes))
      if (bytes[0] === V8_HEADER) return deserialize(bytes)
      if (bytes[0] !== WITH_FIXUPS) throw new TypeError('not a structured-serializer payload')
      const pair = deserialize(bytesView(bytes, 1)) as unknown
      if (!Array.isArray(pair) || pair.length !== 2 || !Array.isArray(pair[1])) {
        throw new TypeError('malformed structured-serializer payload')
      }
      applyFixups(pair[1])
      return pair[0]
    } catch (error) {
      throw new Error(`${(error as Error).message}. ${MIXED_RUNTIMES_HINT}`, { cause: error })
    }
  },
}

function jsonPayload(value: unknown): Uint8Array {
  const text = Buffer.from(JSON.stringify(value), 'utf8')
  const out = new Uint8Array(1 + text.byteLength)
  out[0] = JSON_TEXT
  out.set(text, 1)
  return out
}

/**
 * The JSON text after the marker byte. Node's `Buffer.prototype.utf8Slice` reads any
 * `Uint8Array` without a view (about half the cost of a `TextDecoder` on small payloads);
 * runtimes without it use a `TextDecoder`. Both replace malformed UTF-8 the same way.
 */
function textOf(bytes: Uint8Array): string {
  return utf8Slice === undefined
    ? utf8.decode(bytesView(bytes, 1))
    : utf8Slice.call(bytes, 1, bytes.byteLength)
}

const utf8 = new TextDecoder()
const utf8Slice = (
  Buffer.prototype as { utf8Slice?: (this: Uint8Array, start: number, end: number) => string }
).utf8Slice
