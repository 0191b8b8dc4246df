/**
 * Keys are stored as UTF-16LE BLOBs: every JavaScript string, lone surrogates included,
 * maps to distinct bytes (UTF-8 would turn a lone surrogate into U+FFFD and merge keys),
 * and "starts with" on strings is "starts with" on these bytes. BLOBs compare with
 * `memcmp`, so the keys starting with a prefix are exactly one range of the primary-key
 * index: `[prefix, successor(prefix))`.
 */

/** The stored form of a key. */
export function encodeKey(key: string): Buffer {
  return Buffer.from(key, 'utf16le')
}

/** A key from its stored form. */
export function decodeKey(stored: Uint8Array): string {
  return Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength).toString('utf16le')
}

/** The index range holding every key that starts with `prefix`. */
export interface KeyRange {
  /** Inclusive lower bound. */
  readonly from: Buffer
  /** Exclusive upper bound, or `undefined` when the range runs to the end. */
  readonly to: Buffer | undefined
}

export function prefixRange(prefix: string): KeyRange {
  const from = encodeKey(prefix)
  return { from, to: successor(from) }
}

/** The smallest byte string greater than every string starting with `bytes`. */
function successor(bytes: Buffer): Buffer | undefined {
  let end = bytes.length
  while (end > 0 && bytes[end - 1] === 0xff) end--
  if (end === 0) return undefined
  const next = Buffer.from(bytes.subarray(0, end))
  next[end - 1] = (next[end - 1] as number) + 1
  return next
}

/** The smallest byte string greater than `stored`: where the next page of a listing starts. */
export function after(stored: Uint8Array): Buffer {
  return Buffer.concat([stored, new Uint8Array([0])])
}
