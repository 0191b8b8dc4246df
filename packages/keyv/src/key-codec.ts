/**
 * Keys as Keyv sees them. Keyv adds its `namespace:` prefix only to keys that do not start
 * with it already, so a caller key `stack:x` and a key `x` would share storage. Every key
 * gets a leading `/`, which no namespace starts with, so Keyv always prefixes, distinct
 * keys stay distinct, and key order (hence prefix matching) is kept.
 */
const MARK = '/'

export function toKeyvKey(key: string): string {
  return MARK + key
}

/** The cache key of a Keyv key, or `undefined` for a key this store did not write. */
export function fromKeyvKey(keyvKey: string): string | undefined {
  return keyvKey.startsWith(MARK) ? keyvKey.slice(MARK.length) : undefined
}
