import type { OptionNames } from '@stack/core/store-kit'

/**
 * Bugs a map store can be given, each one a mistake real stores make. The suite must
 * catch every one of them.
 */
export interface MapStoreFaults {
  /** clear() matches `prefix*` as an unescaped glob, as a naive Redis SCAN MATCH does. */
  readonly clearAsGlob?: boolean
  /** An expiry in the past is stored as "never expires" (a relative TTL <= 0 read as none). */
  readonly keepsPastExpiry?: boolean
  /** Keeps and returns the caller's arrays instead of copies. */
  readonly sharesArrays?: boolean
  /** A seconds store that rounds expiries down instead of up. */
  readonly roundsSecondsDown?: boolean
  /** add() is get-then-set across an await, yet capabilities.add is true. */
  readonly racyAdd?: boolean
  /** Calls after close() still work. */
  readonly ignoresClose?: boolean
  /** Keys are cut to 250 characters, so long keys sharing a start collide. */
  readonly truncatesKeys?: boolean
  /** Values over maxValueBytes are silently dropped instead of rejected. */
  readonly dropsLargeValues?: boolean
  /** deleteMany counts a key listed twice twice. */
  readonly deleteManyCountsDuplicates?: boolean
  /** Keys go through UTF-8 unchecked, so every lone surrogate becomes U+FFFD. */
  readonly utf8Keys?: boolean
  /**
   * Keys over a B-tree's row limit after compression fail with a plain error, as a text
   * primary key does in SQL databases.
   */
  readonly keyRowLimit?: boolean
  /** clear() is noted in this instance only, so other instances still read cleared keys. */
  readonly localClearLog?: boolean
  /** checkSetup() answers a warning without a code. */
  readonly codelessSetupWarning?: boolean
  /** getMany forgets expiry (only get checks it, and purges what it finds expired). */
  readonly getManyIgnoresExpiry?: boolean
  /** delete resolves true for an expired entry. */
  readonly deleteIgnoresExpiry?: boolean
  /** add loses to an expired entry. */
  readonly addIgnoresExpiry?: boolean
  /** keys() lists expired entries. */
  readonly keysIgnoreExpiry?: boolean
  /** An entry is still served at `now === expiresAt` (`>=` where `>` belongs). */
  readonly liveAtExpiry?: boolean
  /** A `'ms'` store that keeps expiries in whole seconds, rounded down. */
  readonly truncatesToSeconds?: boolean
  /** A `'ms'` store that keeps expiries in whole seconds, rounded up. */
  readonly msRoundedUpToSeconds?: boolean
  /** clear() and keys() compare NFC-normalised strings. */
  readonly normalisesPrefixes?: boolean
  /** keys(prefix) lists keys that contain prefix anywhere. */
  readonly keysBySubstring?: boolean
  /** clear('') empties the whole backend, other namespaces too. */
  readonly wipesBackend?: boolean
  /** clear() removes only keys this instance wrote (an in-process index). */
  readonly clearsOwnWritesOnly?: boolean
  /** get resolves the value's ArrayBuffer instead of a Uint8Array. */
  readonly returnsArrayBuffer?: boolean
  /** Keys are not checked: '' and non-strings are stored. */
  readonly acceptsAnyKey?: boolean
  /** Values are not checked: strings and arrays are stored. */
  readonly acceptsAnyValue?: boolean
  /** A NaN expiry is stored as "never expires" (every comparison with NaN is false). */
  readonly nanExpiryNeverExpires?: boolean
  /** A missing or non-string prefix is read as '' (so clear(undefined) clears everything). */
  readonly prefixDefaultsToEmpty?: boolean
  /** setMany writes entries in order and stops at the first invalid one. */
  readonly setManyWritesUntilInvalid?: boolean
  /** keys() throws at the call after close() instead of rejecting the iteration. */
  readonly keysThrowAtCall?: boolean
  /** The factory ignores options it does not know. */
  readonly acceptsUnknownOptions?: boolean
  /** setIfNewer writes whatever version it is given (no comparison). */
  readonly conditionalIgnoresVersion?: boolean
  /** deleteIfNewer removes the value and leaves no tombstone. */
  readonly deleteLeavesNoTombstone?: boolean
  /** setIfNewer compares and writes across an await, yet claims to be atomic. */
  readonly racyConditional?: boolean
  /** A tombstone is still refusing writes at `now === tombstoneUntil`. */
  readonly tombstoneLiveAtExpiry?: boolean
  /** Not a fault: get resolves Buffers, which the contract allows. */
  readonly returnsBuffers?: boolean
}

/** Where map stores keep their entries; stores given the same one share it. */
export type MapBackend = Map<string, MapEntry>

export interface MapStoreOptions {
  readonly faults?: MapStoreFaults
  readonly ttlGranularity?: 'ms' | 's'
  readonly maxKeyBytes?: number
  readonly maxValueBytes?: number
  /** Leave out every optional method, so only core's fallbacks provide them. */
  readonly minimal?: boolean
  /** Entries shared with other map stores given the same backend; a private one if absent. */
  readonly backend?: MapBackend
  /** Prefix of this store's entries in the backend. Default `''`. */
  readonly namespace?: string
  /** The clock read for expiry. Default `Date.now`. */
  readonly now?: () => number
  /** Implement `setIfNewer`/`deleteIfNewer` and declare `conditionalWrite`. */
  readonly conditional?: boolean
}

export const MAP_STORE_OPTIONS: OptionNames<MapStoreOptions> = {
  faults: true,
  ttlGranularity: true,
  maxKeyBytes: true,
  maxValueBytes: true,
  minimal: true,
  backend: true,
  namespace: true,
  now: true,
  conditional: true,
}

export interface MapEntry {
  readonly value: Uint8Array
  readonly expiresAt: number
  /** Write order, across every map store, for the `localClearLog` fault. */
  readonly written: number
  /** The version of a `setIfNewer` or `deleteIfNewer`; none for a plain write. */
  readonly version?: number | undefined
  /** A `deleteIfNewer` tombstone: invisible, refusing older conditional writes until it expires. */
  readonly tombstone?: boolean
}
