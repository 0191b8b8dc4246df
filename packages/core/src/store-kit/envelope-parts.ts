import { createHash } from 'node:crypto'
import { envelopeHeaderLength } from '../envelope.js'

/** An envelope cut in two: see {@link splitEnvelope}. */
export interface EnvelopeParts {
  /** Format version, flags, checksum, key digest, lifetimes and tags: what a rewrite changes. */
  readonly header: Uint8Array
  /** The serialized (maybe deflated) value: what an unchanged rewrite repeats. */
  readonly payload: Uint8Array
}

/**
 * Cuts the bytes core hands a store into the envelope's header and payload (views, no
 * copy), or `undefined` when they are not an envelope this core writes (a store must then
 * treat them as opaque, as always).
 *
 * This is what lets a store skip re-uploading an unchanged value: two `cache.set`s of one
 * value differ only in the header (new `createdAt`, lifetimes, checksum), so a store that
 * keeps {@link payloadDigest} of what it holds can, when the digest of a new write's
 * payload is the same, replace only the header and the expiry. The header's checksum
 * covers the payload too, so a header written over another payload is a counted miss
 * when core reads it, never a wrong value; a store must still never leave them mixed.
 *
 * @example
 * ```ts
 * import { payloadDigest, splitEnvelope } from '@stack/core/store-kit'
 *
 * const parts = splitEnvelope(value)
 * if (parts && stored.digest === payloadDigest(parts.payload)) {
 *   await backend.rewriteHeader(key, parts.header, expiresAt) // the payload stays
 * } else {
 *   await backend.put(key, value, expiresAt)
 * }
 * ```
 */
export function splitEnvelope(bytes: Uint8Array): EnvelopeParts | undefined {
  const end = envelopeHeaderLength(bytes)
  if (end === undefined) return undefined
  return { header: bytes.subarray(0, end), payload: bytes.subarray(end) }
}

/**
 * SHA-256 of a payload (32 bytes): the identity {@link splitEnvelope}'s callers compare.
 * A cryptographic digest, so no caller can make two different values look unchanged.
 *
 * @example
 * ```ts
 * const digest = Buffer.from(payloadDigest(parts.payload)).toString('base64')
 * ```
 */
export function payloadDigest(payload: Uint8Array): Uint8Array {
  const digest = createHash('sha256').update(payload).digest()
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength)
}
