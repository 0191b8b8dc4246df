import type { Serializer } from '@stack/core'
import { type OptionNames, readOptions } from '@stack/core/store-kit'
import { Packr } from 'msgpackr'
import { toPackable } from './to-packable.js'

/** Options of {@link msgpackSerializer}. */
export interface MsgpackSerializerOptions {
  /**
   * Envelope identifier of this serializer (see `Serializer.id` in `@stack/core`).
   * Default 3; change it only to run two incompatible msgpack setups side by side.
   */
  readonly id?: number
}

const OPTIONS: OptionNames<MsgpackSerializerOptions> = { id: true }

/**
 * A compact, cross-language serializer on msgpackr. Round-trips exactly `null`,
 * booleans, every number (`NaN`, `±Infinity`, `-0` included), strings, `undefined`,
 * `BigInt` (any size), `Date`, `RegExp`, `Map` and `Set` (any key types, in order),
 * typed arrays, `Buffer`, `ArrayBuffer`, `DataView`, arrays and plain objects, as a tree.
 * Refuses, with an error naming the path (core wraps it in a `SerializationError`
 * naming the key), what msgpack would alter: functions, symbols, class instances,
 * errors, boxed primitives and null-prototype objects, symbol-keyed, non-enumerable and
 * accessor properties, frozen or sealed objects, array holes, an own `__proto__` key,
 * strings or keys with a lone UTF-16 surrogate, and shared or cyclic references.
 * Decoding never runs code: records are off, so only plain data comes back.
 *
 * `-0`, `Map` and `Set` are msgpack extension types (0x55, 0x53, 0x54): readers in other
 * languages see them as such.
 *
 * @example
 * ```ts
 * import { createCache, memory } from '@stack/core'
 * import { msgpackSerializer } from '@stack/msgpack'
 * import { redisStore } from '@stack/redis'
 *
 * const cache = createCache({
 *   tiers: [memory(), redisStore({ url: 'redis://127.0.0.1:6379' })],
 *   serializer: msgpackSerializer(),
 * })
 * ```
 */
export function msgpackSerializer(options: MsgpackSerializerOptions = {}): Serializer {
  readOptions(options, OPTIONS, { factory: 'msgpackSerializer' })
  const packr = new Packr({ useRecords: false, moreTypes: true, useBigIntExtension: true })
  return {
    name: 'msgpack',
    id: options.id ?? 3,
    serialize: (value) => packr.pack(toPackable(value)),
    deserialize: (bytes) => packr.unpack(bytes),
  }
}
