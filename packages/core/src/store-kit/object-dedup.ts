import { splitEnvelope } from './envelope-parts.js'
import { formatObjectExpiry, OBJECT_METADATA } from './object-metadata.js'

/**
 * Longest envelope header, in base64 characters, an object store keeps in user metadata
 * (S3 allows 2 KB of it in all). An envelope with a longer header (many or long tags) is
 * stored whole in the body, and its rewrites are uploaded in full.
 */
export const MAX_HEADER_METADATA_CHARS = 1024

/** A write split for deduplication: the payload goes to the body, the header to metadata. */
export interface SplitObjectWrite {
  /** Base64 of the envelope header, for {@link OBJECT_METADATA.header}. */
  readonly header: string
  readonly payload: Uint8Array
  /** Base64 SHA-256 of the payload, for {@link OBJECT_METADATA.sha256}. */
  readonly sha256: string
}

/**
 * The parts of an envelope write an object store dedupes, or `undefined` when the value
 * is not an envelope, or its header is too long for metadata.
 */
export function splitObjectWrite(
  value: Uint8Array,
  digest: (payload: Uint8Array) => string,
): SplitObjectWrite | undefined {
  const parts = splitEnvelope(value)
  if (parts === undefined) return undefined
  const header = Buffer.from(parts.header.buffer, parts.header.byteOffset, parts.header.byteLength)
  const encoded = header.toString('base64')
  if (encoded.length > MAX_HEADER_METADATA_CHARS) return undefined
  return { header: encoded, payload: parts.payload, sha256: digest(parts.payload) }
}

/** What a deduplicating write must do, given the object's current metadata. */
export type DedupPlan = 'nothing' | 'metadata' | 'upload'

/**
 * `nothing` when the object already holds this header, payload and expiry; `metadata` when
 * it holds this payload under another header or expiry (only its metadata changes);
 * `upload` otherwise.
 */
export function planDedupWrite(
  current: Readonly<Record<string, string>> | undefined,
  write: SplitObjectWrite,
  expiresAt: number,
): DedupPlan {
  if (current === undefined || current[OBJECT_METADATA.header] === undefined) return 'upload'
  if (current[OBJECT_METADATA.sha256] !== write.sha256) return 'upload'
  const sameExpiry = current[OBJECT_METADATA.expiresAt] === formatObjectExpiry(expiresAt)
  return sameExpiry && current[OBJECT_METADATA.header] === write.header ? 'nothing' : 'metadata'
}

/**
 * The metadata of an object after a header-only rewrite: its body's fields (encoding, key
 * frame, payload digest) kept, the header and the expiry replaced.
 */
export function rewrittenMetadata(
  current: Readonly<Record<string, string>>,
  write: SplitObjectWrite,
  expiresAt: number,
): Record<string, string> {
  const metadata: Record<string, string> = {}
  for (const field of [OBJECT_METADATA.encoding, OBJECT_METADATA.keyBytes]) {
    const value = current[field]
    if (value !== undefined) metadata[field] = value
  }
  const expiry = formatObjectExpiry(expiresAt)
  if (expiry !== undefined) metadata[OBJECT_METADATA.expiresAt] = expiry
  metadata[OBJECT_METADATA.sha256] = write.sha256
  metadata[OBJECT_METADATA.header] = write.header
  return metadata
}

/**
 * The value of an object read back: its body, led by the envelope header kept in
 * metadata when the write was split.
 */
export function joinObjectValue(
  value: Uint8Array,
  metadata: Readonly<Record<string, string>>,
): Uint8Array {
  const header = metadata[OBJECT_METADATA.header]
  if (header === undefined) return value
  const headerBytes = Buffer.from(header, 'base64')
  const joined = new Uint8Array(headerBytes.byteLength + value.byteLength)
  joined.set(headerBytes, 0)
  joined.set(value, headerBytes.byteLength)
  return joined
}
