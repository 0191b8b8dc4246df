import type { Serializer } from '../serializer.js'

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

/**
 * JSON, for payloads other languages must read. It follows JSON's own rules
 * (a `Date` becomes its ISO string, `toJSON` is honoured, object properties holding
 * `undefined` are omitted) but refuses what JSON would turn into something
 * unrecognisable: `Map`, `Set`, typed arrays, `BigInt`, functions, symbols,
 * non-finite numbers, and `undefined` at the top level.
 *
 * @example
 * ```ts
 * const cache = createCache({ tiers: [memory(), redisStore({ url })], serializer: jsonSerializer })
 * ```
 */
export const jsonSerializer: Serializer = {
  name: 'json',
  id: 1,
  serialize(value) {
    if (value === undefined) throw new TypeError('undefined cannot be represented in JSON')
    return encoder.encode(JSON.stringify(value, refuseLossy))
  },
  deserialize(bytes) {
    return JSON.parse(decoder.decode(bytes))
  },
}

function refuseLossy(this: unknown, key: string, value: unknown): unknown {
  const original = (this as Record<string, unknown>)[key]
  const where = key === '' ? 'the value' : `property "${key}"`
  if (original instanceof Map || original instanceof Set || ArrayBuffer.isView(original)) {
    throw new TypeError(`${where} is a ${original.constructor.name}, which JSON cannot represent`)
  }
  switch (typeof value) {
    case 'function':
    case 'symbol':
    case 'bigint':
      throw new TypeError(`${where} is a ${typeof value}, which JSON cannot represent`)
    case 'number':
      if (!Number.isFinite(value))
        throw new TypeError(`${where} is ${value}, which JSON turns into null`)
  }
  return value
}
