import { createHash } from 'node:crypto'
import { InvalidOptionError } from '../errors.js'
import { isWellFormedUnicode } from './validate.js'

/** Longest object name S3 and Cloud Storage accept, in UTF-8 bytes. */
export const MAX_OBJECT_NAME_BYTES = 1024
/** Longest base prefix, so that at least half of every object name is left for the cache key. */
export const MAX_OBJECT_NAME_PREFIX_BYTES = 512
/**
 * Longest run of encoded characters between two `/` of a name. Filesystem-backed servers
 * (MinIO, s3rver, emulators) store each `/`-separated segment as a file or directory name,
 * which the OS caps at 255 bytes; 200 leaves room for their own affixes.
 */
export const OBJECT_NAME_SEGMENT_LENGTH = 200

/** Separates a hashed name's readable head from its hash; never produced by the encoding. */
const HASH_MARK = '~'
/** SHA-256 in base64url, without padding. */
const HASH_LENGTH = 43

const PLAIN_NAME = /^(?:[A-Za-z0-9_-]|%[0-9A-F]{2})*$/
const HASHED_NAME = /^((?:[A-Za-z0-9_-]|%[0-9A-F]{2})*)~[A-Za-z0-9_-]{43}$/

/**
 * Percent-encodes every UTF-8 byte of `text` except `A-Z a-z 0-9 - _`.
 *
 * Each byte maps to one code word and no code word is a prefix of another, so the encoding
 * is injective and maps prefixes to prefixes: `encodeObjectName(p)` starts every
 * `encodeObjectName(p + rest)`. No `/` or `.` survives, so no name has segments to traverse.
 *
 * @example
 * ```ts
 * encodeObjectName('user:1/é') // 'user%3A1%2F%C3%A9'
 * ```
 */
export function encodeObjectName(text: string): string {
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

/** The object name of a cache key, and whether it is hashed (the key is then in the body). */
export interface ObjectName {
  readonly name: string
  readonly hashed: boolean
}

/** How one object name relates to the cache key it stores. */
export type ParsedObjectName =
  | { readonly kind: 'plain'; readonly key: string }
  /** A hashed name; the original key is in the object itself. */
  | { readonly kind: 'hashed' }

/** Which listings find every object of the keys starting with a prefix. */
export interface ObjectNameListing {
  /** Object-name prefix whose listing holds exactly the wanted objects. */
  readonly exact: string
  /**
   * A second object-name prefix, listing hashed objects that may or may not belong: their
   * original key must be checked. Only set when the cache prefix is too long to be kept in
   * full in a hashed name's head.
   */
  readonly hashedCandidates?: string
}

/** Inserts `/` after every segment's worth of chars; position-based, so prefix-preserving. */
function segment(flat: string): string {
  let named = ''
  for (let start = 0; start < flat.length; start += OBJECT_NAME_SEGMENT_LENGTH) {
    named += (start === 0 ? '' : '/') + flat.slice(start, start + OBJECT_NAME_SEGMENT_LENGTH)
  }
  return named
}

/** Reverses {@link segment}, or `undefined` when the `/`s are not where it puts them. */
function unsegment(named: string): string | undefined {
  const parts = named.split('/')
  const last = parts.length - 1
  const canonical = parts.every((part, index) =>
    index === last
      ? part.length > 0 && part.length <= OBJECT_NAME_SEGMENT_LENGTH
      : part.length === OBJECT_NAME_SEGMENT_LENGTH,
  )
  return canonical ? parts.join('') : undefined
}

/** Length of `segment(flat)` for a flat string of `length` chars. */
function segmentedLength(length: number): number {
  return length === 0 ? 0 : length + Math.floor((length - 1) / OBJECT_NAME_SEGMENT_LENGTH)
}

/**
 * Maps cache keys to object names under `basePrefix` and back, for object stores (S3,
 * Cloud Storage...) whose names are at most 1,024 UTF-8 bytes and listable by prefix.
 *
 * A key's "flat" name is its {@link encodeObjectName} encoding when that fits (a "plain"
 * name). A longer key's flat name is `head~hash`: `head` is its encoding cut to fit (between
 * code words), `hash` its SHA-256, and the object must keep the original key (see
 * `packObjectBody`). The object name is the base prefix plus the flat name cut into
 * `/`-separated segments. The head is a prefix of the full encoding and segmenting keeps
 * prefixes, so listing by a prefix's encoding still finds both kinds, and the listing is
 * exact while the prefix's encoding fits in a head.
 *
 * @example
 * ```ts
 * const codec = new ObjectNameCodec('cache/')
 * codec.objectName('user:1') // { name: 'cache/user%3A1', hashed: false }
 * codec.parse('cache/user%3A1') // { kind: 'plain', key: 'user:1' }
 * codec.listing('user:') // { exact: 'cache/user%3A' }
 * ```
 */
export class ObjectNameCodec {
  /** The prefix of every object name; see {@link assertObjectNamePrefix} for its rules. */
  readonly basePrefix: string
  /** Longest flat name whose segmented form fits beside the base prefix. */
  private readonly flatLimit: number
  /** Longest head of a hashed name. */
  private readonly headLimit: number

  /** Throws `InvalidOptionError` naming `prefix` for a base prefix that breaks its rules. */
  constructor(basePrefix: string) {
    assertObjectNamePrefix(basePrefix)
    this.basePrefix = basePrefix
    const budget = MAX_OBJECT_NAME_BYTES - Buffer.byteLength(basePrefix, 'utf8')
    let flatLimit = budget
    while (segmentedLength(flatLimit) > budget) flatLimit--
    this.flatLimit = flatLimit
    this.headLimit = flatLimit - HASH_MARK.length - HASH_LENGTH
  }

  /** The object name of `key` (a well-formed, non-empty string), and whether it is hashed. */
  objectName(key: string): ObjectName {
    const encoded = encodeObjectName(key)
    if (encoded.length <= this.flatLimit) {
      return { name: this.basePrefix + segment(encoded), hashed: false }
    }
    const flat = `${truncateEncoded(encoded, this.headLimit)}${HASH_MARK}${hashKey(key)}`
    return { name: this.basePrefix + segment(flat), hashed: true }
  }

  /** The listings that find every object of the keys starting with `prefix`. */
  listing(prefix: string): ObjectNameListing {
    const encoded = encodeObjectName(prefix)
    const exact = this.basePrefix + segment(encoded)
    if (encoded.length <= this.headLimit) return { exact }
    const head = truncateEncoded(encoded, this.headLimit)
    return { exact, hashedCandidates: this.basePrefix + segment(head + HASH_MARK) }
  }

  /**
   * What a listed object name stores, or `undefined` for a name this codec never produces
   * (another application's object under the same prefix), which a store leaves alone.
   */
  parse(objectName: string): ParsedObjectName | undefined {
    if (!objectName.startsWith(this.basePrefix)) return undefined
    const flat = unsegment(objectName.slice(this.basePrefix.length))
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
    return encodeObjectName(key) === flat ? { kind: 'plain', key } : undefined
  }
}

/**
 * Rejects a base prefix that {@link ObjectNameCodec} cannot work under with
 * `InvalidOptionError` naming `prefix`: it must be `''`, or `/`-separated names ending in
 * `/`, without empty, `.` or `..` segments or control characters, at most
 * {@link MAX_OBJECT_NAME_PREFIX_BYTES} bytes.
 *
 * @example
 * ```ts
 * assertObjectNamePrefix('team-a/cache/') // passes
 * assertObjectNamePrefix('cache') // throws: no trailing '/'
 * ```
 */
export function assertObjectNamePrefix(prefix: unknown): asserts prefix is string {
  if (typeof prefix !== 'string') {
    throw new InvalidOptionError('prefix', `prefix must be a string, got ${typeof prefix}`)
  }
  if (prefix === '') return
  if (!prefix.endsWith('/')) {
    throw new InvalidOptionError('prefix', `prefix must end with '/', got "${prefix}"`)
  }
  if (Buffer.byteLength(prefix, 'utf8') > MAX_OBJECT_NAME_PREFIX_BYTES) {
    throw new InvalidOptionError(
      'prefix',
      `prefix must be at most ${MAX_OBJECT_NAME_PREFIX_BYTES} bytes`,
    )
  }
  const segments = prefix.slice(0, -1).split('/')
  const unsafe = segments.find((part) => part === '' || part === '.' || part === '..')
  if (unsafe !== undefined || /\p{Cc}/u.test(prefix) || !isWellFormedUnicode(prefix)) {
    throw new InvalidOptionError(
      'prefix',
      `prefix "${prefix}" must be '/'-separated names without empty, '.' or '..' segments or control characters`,
    )
  }
}
