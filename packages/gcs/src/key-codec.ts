import { createHash } from 'node:crypto'
import { InvalidKeyError, InvalidOptionError } from '@stack/core'

/** Longest object name Cloud Storage accepts, in UTF-8 bytes. */
export const MAX_OBJECT_KEY_BYTES = 1024
/** Longest `prefix` option, so that at least half of every object key is left for the cache key. */
export const MAX_PREFIX_BYTES = 512

/** Separates a hashed name's readable head from its hash; never produced by {@link encodeKey}. */
const HASH_MARK = '~'
/** SHA-256 in base64url, without padding. */
const HASH_LENGTH = 43

const PLAIN_NAME = /^(?:[A-Za-z0-9_-]|%[0-9A-F]{2})*$/
const HASHED_NAME = /^((?:[A-Za-z0-9_-]|%[0-9A-F]{2})*)~[A-Za-z0-9_-]{43}$/

/**
 * Percent-encodes every UTF-8 byte of `text` except `A-Z a-z 0-9 - _`.
 *
 * Each byte maps to one code word and no code word is a prefix of another, so the
 * encoding is injective and maps prefixes to prefixes: `encodeKey(p)` starts every
 * `encodeKey(p + rest)`. No `/` or `.` survives, so no name has path segments to traverse.
 */
export function encodeKey(text: string): string {
  let encoded = ''
  for (const byte of Buffer.from(text, 'utf8')) {
    const isUnreserved =
      (byte >= 0x30 && byte <= 0x39) || // 0-9
      (byte >= 0x41 && byte <= 0x5a) || // A-Z
      (byte >= 0x61 && byte <= 0x7a) || // a-z
      byte === 0x2d || // -
      byte === 0x5f // _
    encoded += isUnreserved
      ? String.fromCharCode(byte)
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return encoded
}

/** The longest prefix of an encoding, at most `limit` chars, that ends between code words. */
function truncateEncoded(encoded: string, limit: number): string {
  if (encoded.length <= limit) return encoded
  let cut = limit
  if (encoded[cut - 1] === '%') cut -= 1
  else if (encoded[cut - 2] === '%') cut -= 2
  return encoded.slice(0, cut)
}

function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('base64url')
}

/** In `u` mode a surrogate pair is one code point, so only lone surrogates match. */
const LONE_SURROGATE = /\p{Cs}/u

/** Whether `text` has a UTF-8 form (no lone surrogates). */
export function isWellFormedUnicode(text: string): boolean {
  return !LONE_SURROGATE.test(text)
}

/** Rejects keys no object can be named after. */
export function assertValidKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) {
    throw new InvalidKeyError(`key must be a non-empty string, got ${JSON.stringify(key)}`)
  }
  // A lone surrogate has no UTF-8 form; encoding it would collide with U+FFFD.
  if (!isWellFormedUnicode(key)) {
    throw new InvalidKeyError(`key "${key}" is not well-formed Unicode (lone surrogate)`, key)
  }
}

/** How one object name relates to the cache key it stores. */
export type ParsedName =
  | { readonly kind: 'plain'; readonly key: string }
  /** A hashed name; the original key is in the object itself. */
  | { readonly kind: 'hashed' }

/** Which listings find every object of the keys starting with a prefix. */
export interface PrefixListing {
  /** Object-key prefix whose listing holds exactly the wanted objects. */
  readonly exact: string
  /**
   * A second object-key prefix, listing hashed objects that may or may not belong: their
   * original key must be checked. Only set when the cache prefix is too long to be kept in
   * full in a hashed name's head.
   */
  readonly hashedCandidates?: string
}

/**
 * Longest run of encoded characters between two `/`. Cloud Storage has no such limit; the
 * names are segmented exactly as `@stack/s3` segments them (for filesystem-backed S3
 * servers), so both stores name a key's object alike.
 */
export const SEGMENT_LENGTH = 200

/** Inserts `/` after every {@link SEGMENT_LENGTH} chars; position-based, so prefix-preserving. */
function segment(flat: string): string {
  let named = ''
  for (let start = 0; start < flat.length; start += SEGMENT_LENGTH) {
    named += (start === 0 ? '' : '/') + flat.slice(start, start + SEGMENT_LENGTH)
  }
  return named
}

/** Reverses {@link segment}, or `undefined` when the `/`s are not where it puts them. */
function unsegment(named: string): string | undefined {
  const parts = named.split('/')
  const last = parts.length - 1
  const canonical = parts.every((part, index) =>
    index === last
      ? part.length > 0 && part.length <= SEGMENT_LENGTH
      : part.length === SEGMENT_LENGTH,
  )
  return canonical ? parts.join('') : undefined
}

/** Length of `segment(flat)` for a flat string of `length` chars. */
function segmentedLength(length: number): number {
  return length === 0 ? 0 : length + Math.floor((length - 1) / SEGMENT_LENGTH)
}

/**
 * Maps cache keys to object keys under `basePrefix` and back.
 *
 * A key's "flat" name is its encoding when that fits (a "plain" name). A longer key's flat
 * name is `head~hash`: `head` is its encoding cut to fit (between code words), `hash` its
 * SHA-256, and the object keeps the original key. The object key is the base prefix plus
 * the flat name cut into `/`-separated segments. The head is a prefix of the full encoding
 * and segmenting keeps prefixes, so listing by `encodeKey(prefix)` still finds both kinds,
 * and the listing is exact while the prefix's encoding fits in a head.
 */
export class KeyCodec {
  readonly basePrefix: string
  /** Longest flat name whose segmented form fits beside the base prefix. */
  private readonly flatLimit: number
  /** Longest head of a hashed name. */
  private readonly headLimit: number

  constructor(basePrefix: string) {
    assertValidPrefix(basePrefix)
    this.basePrefix = basePrefix
    const budget = MAX_OBJECT_KEY_BYTES - Buffer.byteLength(basePrefix, 'utf8')
    let flatLimit = budget
    while (segmentedLength(flatLimit) > budget) flatLimit--
    this.flatLimit = flatLimit
    this.headLimit = flatLimit - HASH_MARK.length - HASH_LENGTH
  }

  /** The object key for `key`, and whether it is hashed. */
  objectKey(key: string): { readonly name: string; readonly hashed: boolean } {
    const encoded = encodeKey(key)
    if (encoded.length <= this.flatLimit) {
      return { name: this.basePrefix + segment(encoded), hashed: false }
    }
    const flat = `${truncateEncoded(encoded, this.headLimit)}${HASH_MARK}${hashKey(key)}`
    return { name: this.basePrefix + segment(flat), hashed: true }
  }

  /** The listings that find every object of the keys starting with `prefix`. */
  listing(prefix: string): PrefixListing {
    const encoded = encodeKey(prefix)
    const exact = this.basePrefix + segment(encoded)
    if (encoded.length <= this.headLimit) return { exact }
    const head = truncateEncoded(encoded, this.headLimit)
    return { exact, hashedCandidates: this.basePrefix + segment(head + HASH_MARK) }
  }

  /**
   * What a listed object name stores, or `undefined` for a name this codec never produces
   * (another application's object under the same prefix), which the store leaves alone.
   */
  parse(objectKey: string): ParsedName | undefined {
    if (!objectKey.startsWith(this.basePrefix)) return undefined
    const flat = unsegment(objectKey.slice(this.basePrefix.length))
    if (flat === undefined) return undefined
    if (HASHED_NAME.test(flat)) return { kind: 'hashed' }
    if (!PLAIN_NAME.test(flat)) return undefined
    let key: string
    try {
      key = decodeURIComponent(flat)
    } catch {
      return undefined // not UTF-8
    }
    // Only the canonical encoding is ours ('%41' decodes to 'A' but we write 'A').
    return encodeKey(key) === flat ? { kind: 'plain', key } : undefined
  }
}

function assertValidPrefix(prefix: unknown): asserts prefix is string {
  if (typeof prefix !== 'string') {
    throw new InvalidOptionError('prefix', `prefix must be a string, got ${typeof prefix}`)
  }
  if (prefix === '') return
  if (!prefix.endsWith('/')) {
    throw new InvalidOptionError('prefix', `prefix must end with '/', got "${prefix}"`)
  }
  if (Buffer.byteLength(prefix, 'utf8') > MAX_PREFIX_BYTES) {
    throw new InvalidOptionError('prefix', `prefix must be at most ${MAX_PREFIX_BYTES} bytes`)
  }
  const segments = prefix.slice(0, -1).split('/')
  const unsafe = segments.find((segment) => segment === '' || segment === '.' || segment === '..')
  if (unsafe !== undefined || /\p{Cc}/u.test(prefix) || !isWellFormedUnicode(prefix)) {
    throw new InvalidOptionError(
      'prefix',
      `prefix "${prefix}" must be '/'-separated names without empty, '.' or '..' segments or control characters`,
    )
  }
}
