import { withDeadline } from './deadline.js'
import type { PackedObjectBody } from './object-body.js'
import type { ListedObject, ObjectHead, StoredObject, WriteCondition } from './object-head.js'
import { ObjectNameCodec } from './object-name.js'
import type { ResolvedObjectStoreOptions } from './object-store-options.js'

/**
 * The object operations an `ObjectStore` is built on: what a backend (S3, Cloud Storage)
 * implements. Extend `ObjectStore`, which adds the whole `RemoteStore` on top.
 */
export abstract class ObjectBackend<Version> {
  abstract readonly name: string
  protected readonly options: ResolvedObjectStoreOptions
  protected readonly codec: ObjectNameCodec

  constructor(options: ResolvedObjectStoreOptions) {
    this.options = options
    this.codec = new ObjectNameCodec(options.prefix)
  }

  /**
   * The head of object `name` and, unless that head is expired, its bytes; `undefined`
   * when there is no such object. Read the bytes of exactly the object whose head you
   * return.
   */
  protected abstract getObject(
    name: string,
    signal: AbortSignal,
  ): Promise<StoredObject<Version> | undefined>

  /** The head of object `name`, or `undefined` when there is no such object. */
  protected abstract headObject(
    name: string,
    signal: AbortSignal,
  ): Promise<ObjectHead<Version> | undefined>

  /**
   * Uploads `packed` as object `name` (with `expiresAt` for the backend's own lifecycle
   * fields, if any). With a `condition`, resolves `false` when it does not hold.
   */
  protected abstract putObject(
    name: string,
    packed: PackedObjectBody,
    expiresAt: number,
    condition: WriteCondition<Version> | undefined,
    signal: AbortSignal,
  ): Promise<boolean>

  /**
   * Deletes object `name` (only if it is still `version`, when given); `false` when it was
   * known to be gone already.
   */
  protected abstract deleteObject(
    name: string,
    version: Version | undefined,
    signal: AbortSignal,
  ): Promise<boolean>

  /**
   * Optional: replaces the user metadata of object `name` with `metadata` (and the
   * backend's own lifecycle fields from `expiresAt`) without rewriting its bytes, only if
   * it is still version `previous.version`. Resolves `false` when that condition fails or
   * the backend refuses (the write is then uploaded in full). Without it, `dedupeWrites`
   * skips only rewrites whose header and expiry are the same too.
   */
  protected updateMetadata?(
    name: string,
    metadata: Record<string, string>,
    expiresAt: number,
    previous: ObjectHead<Version>,
    signal: AbortSignal,
  ): Promise<boolean>

  /** The first `length` bytes of object `name`, or `undefined` when it is gone. */
  protected abstract readFirstBytes(
    name: string,
    length: number,
    signal: AbortSignal,
  ): Promise<Uint8Array | undefined>

  /** The objects whose names start with `listPrefix`, a page at a time, each page under {@link deadline}. */
  protected abstract listObjects(
    listPrefix: string,
  ): AsyncIterable<readonly ListedObject<Version>[]>

  /** Deletes the objects named (one listing page at most), each request under {@link deadline}. */
  protected abstract deleteObjects(names: readonly string[]): Promise<void>

  /** Releases the client, if the store owns it; called once, by the first `close()`. */
  protected abstract closeClient(): Promise<void>

  /** Runs `operation` under the store's `timeout`; see `withDeadline`. */
  protected deadline<T>(
    key: string | undefined,
    operation: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    return withDeadline({ store: this.name, timeoutMs: this.options.timeoutMs, key }, operation)
  }
}
