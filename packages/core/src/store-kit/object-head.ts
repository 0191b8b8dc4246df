import { OBJECT_METADATA, parseObjectExpiry } from './object-metadata.js'

/** What an object's metadata tells the store. */
export interface ObjectHead<Version> {
  /** From {@link OBJECT_METADATA.expiresAt}, via `parseObjectExpiry`. */
  readonly expiresAt: number
  /**
   * The backend's token for this exact object (S3's ETag, Cloud Storage's generation), or
   * `undefined` when the backend did not report one.
   */
  readonly version: Version | undefined
  /** The object's user metadata, as written by `packObjectBody`. */
  readonly metadata: Readonly<Record<string, string>>
}

/**
 * The head of an object with user metadata `metadata` and version token `version`: its
 * expiry is read from {@link OBJECT_METADATA.expiresAt} (`Infinity` when absent).
 *
 * @example
 * ```ts
 * const response = await client.head(bucket, name)
 * return objectHead(response.metadata, response.etag)
 * ```
 */
export function objectHead<Version>(
  metadata: Readonly<Record<string, string>>,
  version: Version | undefined,
): ObjectHead<Version> {
  const expiresAt = parseObjectExpiry(metadata[OBJECT_METADATA.expiresAt])
  return { expiresAt, version, metadata }
}

/** An object read by {@link ObjectStore.getObject}. */
export interface StoredObject<Version> {
  readonly head: ObjectHead<Version>
  /** The stored bytes; `undefined` when the head showed the object expired and they were not read. */
  readonly body: Uint8Array | undefined
}

/** One object of a listing page. */
export interface ListedObject<Version> {
  readonly name: string
  /** The head, when the listing carries user metadata (it spares one request per object). */
  readonly head?: ObjectHead<Version> | undefined
}

/** A write precondition: only if no object exists, or only if it is still `ifVersion`. */
export type WriteCondition<Version> = { readonly ifAbsent: true } | { readonly ifVersion: Version }
