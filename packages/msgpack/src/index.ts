import type { Serializer } from '@stack/core'
import { type OptionNames, readOptions } from '@stack/core/store-kit'
import { addExtension, Packr } from 'msgpackr'

/** Options of {@link msgpackSerializer}. */
export interface MsgpackSerializerOptions {
  /**
   * Envelope identifier of this serializer (see `Serializer.id` in `@stack/core`).
   * Default 3; change it only to run two incompatible msgpack setups side by side.
   */
  readonly id?: number
}

const OPTIONS: OptionNames<MsgpackSerializerOptions> = { id: true }

/*
 * Map and Set travel as msgpack extensions. msgpackr registers extensions globally, so
 * we register them for private wrapper classes: other msgpackr users in the process
 * keep packing their own Maps and Sets exactly as before.
 */
class PackedMap {
  constructor(readonly entries: unknown[][]) {}
}
class PackedSet {
  constructor(readonly members: unknown[]) {}
}
const MAP_EXTENSION = 0x53
const SET_EXTENSION = 0x54
addExtension({
  Class: PackedMap,
  type: MAP_EXTENSION,
  write: (map: PackedMap) => map.entries,
  read: (entries: unknown[][]) => new Map(entries as [unknown, unknown][]),
})
addExtension({
  Class: PackedSet,
  type: SET_EXTENSION,
  write: (set: PackedSet) => set.members,
  read: (members: unknown[]) => new Set(members),
})

/**
 * A compact, cross-language serializer on msgpackr. Round-trips `Date`, `Map`, `Set`
 * (any key types), `BigInt` (any size), typed arrays, `undefined`, `NaN` and `-0`.
 * Refuses functions, symbols and cyclic structures with an error (core wraps it in a
 * `SerializationError` naming the key) rather than dropping them. Decoding never runs
 * code: records are off, so only plain data comes back.
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
    serialize: (value) => packr.pack(toPackable(value, '$', new Set())),
    deserialize: (bytes) => packr.unpack(bytes),
  }
}

/** A copy of `value` with Maps and Sets wrapped; throws on what msgpack cannot hold. */
function toPackable(value: unknown, path: string, ancestors: Set<object>): unknown {
  if (typeof value === 'function' || typeof value === 'symbol') {
    throw new TypeError(`${path} is a ${typeof value}, which msgpack cannot represent`)
  }
  if (
    typeof value !== 'object' ||
    value === null ||
    value instanceof Date ||
    ArrayBuffer.isView(value)
  ) {
    return value
  }
  if (ancestors.has(value))
    throw new TypeError(`${path} refers back to itself; msgpack cannot hold cycles`)
  ancestors.add(value)
  let packable: unknown
  if (value instanceof Map) {
    packable = new PackedMap(
      [...value].map(([k, v], i) => [
        toPackable(k, `${path}.<key ${i}>`, ancestors),
        toPackable(v, `${path}.get(${String(k)})`, ancestors),
      ]),
    )
  } else if (value instanceof Set) {
    packable = new PackedSet(
      [...value].map((v, i) => toPackable(v, `${path}.<member ${i}>`, ancestors)),
    )
  } else if (Array.isArray(value)) {
    packable = value.map((v, i) => toPackable(v, `${path}[${i}]`, ancestors))
  } else {
    const copy: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) copy[k] = toPackable(v, `${path}.${k}`, ancestors)
    packable = copy
  }
  ancestors.delete(value)
  return packable
}
