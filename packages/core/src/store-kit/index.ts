/**
 * The store-author kit: small, dependency-free helpers for writing a `RemoteStore`.
 *
 * - Any store: {@link withDeadline} (a per-call deadline that rejects with
 *   `StoreUnavailableError`), {@link Deadlines} (one timer for many calls sharing a timeout), {@link mapConcurrent}, key/prefix/write checks
 *   ({@link assertKey}, {@link assertPrefix}, {@link assertWrite}, {@link isExpired}),
 *   the option reader {@link readOptions} and value readers ({@link integerOption},
 *   {@link durationOption}, ...), ready `keys`/`clear` over a scannable or sorted backend
 *   ({@link keysByScan}, {@link clearByScan}, {@link prefixRange}), {@link PurgeRunner}
 *   and {@link compress}.
 * - Local tiers: {@link EvictQueue}, evict listeners called once the tier is consistent.
 * - Conditional writes: {@link assertVersion}, {@link assertTombstoneUntil} and the tie
 *   rule {@link refusesVersion}, for `setIfNewer`/`deleteIfNewer`.
 * - Write deduplication: {@link splitEnvelope} and {@link payloadDigest} find the part of
 *   a write that an unchanged rewrite repeats.
 * - Object storage (S3, Cloud Storage and the like): {@link ObjectStore}, a base class that
 *   needs only a handful of object operations, and its parts: {@link ObjectNameCodec}
 *   (prefix-preserving object names), {@link packObjectBody} (body framing) and the
 *   {@link OBJECT_METADATA} fields.
 *
 * @example
 * ```ts
 * import { assertKey, withDeadline } from '@stack/core/store-kit'
 *
 * async function get(key: string) {
 *   assertKey(key)
 *   return withDeadline({ store: 'my-store', timeoutMs: 5_000, key }, (signal) =>
 *     fetchValue(key, signal),
 *   )
 * }
 * ```
 *
 * @packageDocumentation
 */

export { EvictQueue } from '../memory/evict-queue.js'
export {
  COMPRESSION_OPTIONS,
  type CompressionEncoding,
  type CompressionOption,
  compress,
  decompress,
  parseEncoding,
} from './compression.js'
export { mapConcurrent } from './concurrency.js'
export { assertTombstoneUntil, assertVersion, refusesVersion } from './conditional.js'
export { type DeadlineOptions, withDeadline } from './deadline.js'
export { type Deadline, Deadlines } from './deadlines.js'
export { type EnvelopeParts, payloadDigest, splitEnvelope } from './envelope-parts.js'
export { ObjectBackend } from './object-backend.js'
export {
  type CompressionSettings,
  contentSha256,
  type ObjectWrite,
  type PackedObjectBody,
  packObjectBody,
  readObjectKeyFrame,
  unpackObjectBody,
} from './object-body.js'
export { MAX_HEADER_METADATA_CHARS } from './object-dedup.js'
export {
  formatObjectExpiry,
  hashedKeyLength,
  isExpired,
  OBJECT_METADATA,
  parseObjectExpiry,
} from './object-metadata.js'
export {
  assertObjectNamePrefix,
  encodeObjectName,
  MAX_OBJECT_NAME_BYTES,
  MAX_OBJECT_NAME_PREFIX_BYTES,
  OBJECT_NAME_SEGMENT_LENGTH,
  type ObjectName,
  ObjectNameCodec,
  type ObjectNameListing,
  type ParsedObjectName,
} from './object-name.js'
export {
  type ListedObject,
  type ObjectHead,
  ObjectStore,
  objectHead,
  type StoredObject,
  type WriteCondition,
} from './object-store.js'
export {
  OBJECT_STORE_OPTIONS,
  type ObjectStoreDefaults,
  type ObjectStoreOptions,
  type ResolvedObjectStoreOptions,
  resolveObjectStoreOptions,
} from './object-store-options.js'
export {
  assertOptionsObject,
  booleanOption,
  durationOption,
  integerOption,
  MAX_TIMER_MS,
  type OptionNames,
  oneOfOption,
  type ReadOptionsSettings,
  readOptions,
} from './options.js'
export {
  clearByScan,
  keysByScan,
  type PrefixScanSource,
  prefixRange,
  type ScannedEntry,
} from './prefix-scan.js'
export { PurgeRunner } from './purge-runner.js'
export {
  assertKey,
  assertPrefix,
  assertWrite,
  isWellFormedUnicode,
  type KeyRules,
} from './validate.js'
