import { mkdir } from 'node:fs/promises'
import {
  ClosedError,
  type RemoteStore,
  STORE_CONTRACT_VERSION,
  type StoreCapabilities,
  type StoreStats,
  StoreUnavailableError,
  ValueTooLargeError,
} from '@stack/core'
import {
  assertKey,
  assertPrefix,
  assertWrite,
  PurgeRunner,
  splitEnvelope,
} from '@stack/core/store-kit'
import { clearEntries, liveKeys, purgeWalk, WALK_CONCURRENCY } from './directory-walks.js'
import {
  linkIfAbsent,
  readIfExists,
  renameIfExists,
  replaceWith,
  scanHeader,
  unlinkIfExists,
  unlinkQuietly,
  writeNewFile,
} from './fs-ops.js'
import { acquireLock, releaseLock, tryLock } from './key-lock.js'
import { type EntryPaths, entryPaths, entryPathsByName, helperPath } from './layout.js'
import { dropPayloadsOf, readLinked, writeLinked } from './linked.js'
import { type FileStoreOptions, type ResolvedFileOptions, resolveOptions } from './options.js'
import { decodeRecord, encodeKey, encodeRecord, isLiveRecord, MAX_VALUE_BYTES } from './record.js'
import { type FoundEntry, SizeLedger } from './size-ledger.js'
import { forEachLimited } from './walk.js'

/** Reads of a linked entry retried when its payload file was replaced under them. */
const LINKED_READ_ATTEMPTS = 3

/**
 * A {@link RemoteStore} keeping one file per key in a directory; see {@link fileStore}.
 */
export class FileStore implements RemoteStore {
  readonly name = 'file'
  readonly contractVersion = STORE_CONTRACT_VERSION
  readonly capabilities: StoreCapabilities
  /** The absolute path of the cache directory. */
  readonly directory: string

  readonly #options: ResolvedFileOptions
  /** Present only when `maxBytes` or `maxEntries` is set. */
  readonly #ledger: SizeLedger | undefined
  #ready: Promise<void> | undefined
  #isReady = false
  #closed = false
  readonly #purger: PurgeRunner
  /** See {@link stats}. */
  readonly #counts = { writes: 0, dedupedWrites: 0, writtenBytes: 0, purges: 0, evictions: 0 }

  constructor(options: FileStoreOptions) {
    this.#options = resolveOptions(options)
    this.directory = this.#options.directory
    const { maxBytes, maxEntries } = this.#options
    const bounded = Number.isFinite(maxBytes) || Number.isFinite(maxEntries)
    this.#ledger = bounded ? new SizeLedger() : undefined
    this.capabilities = {
      batch: false,
      add: true,
      keys: true,
      ttlGranularity: 'ms',
      maxValueBytes: Math.min(MAX_VALUE_BYTES, this.#options.maxBytes),
      dedupeWrites: this.#options.dedupeWrites,
    }
    this.#purger = new PurgeRunner(() => this.#purge(), this.#options.purgeIntervalMs)
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const keyBytes = this.#begin(key)
    if (!this.#isReady) await this.#whenReady()
    const paths = entryPaths(this.directory, keyBytes)
    try {
      for (let attempt = 0; attempt < LINKED_READ_ATTEMPTS; attempt++) {
        const bytes = await readIfExists(paths.file)
        if (bytes === undefined) return undefined
        const record = decodeRecord(bytes, keyBytes, Date.now())
        if (record.state === 'live') return record.value
        if (record.state === 'linked') {
          const value = await readLinked(paths, record.digest, record.header)
          if (value === 'missing') continue // replaced meanwhile: read the new record
          if (value !== 'corrupt') return value
        }
        if (record.state !== 'foreign') await this.#removeDeadEntry(paths)
        return undefined
      }
      return undefined
    } catch (error) {
      throw this.#unavailable('get', error, key)
    }
  }

  async set(key: string, value: Uint8Array, expiresAt: number): Promise<void> {
    const keyBytes = this.#begin(key)
    assertWrite(key, value, expiresAt)
    if (expiresAt <= Date.now()) {
      await this.delete(key)
      return
    }
    this.#assertFits(key, value)
    if (!this.#isReady) await this.#whenReady()
    const paths = entryPaths(this.directory, keyBytes)
    const parts = this.#options.dedupeWrites ? splitEnvelope(value) : undefined
    if (parts !== undefined) {
      try {
        const written = await writeLinked(paths, keyBytes, parts, expiresAt, this.#options.fsync)
        this.#counts[written.reused ? 'dedupedWrites' : 'writes']++
        this.#counts.writtenBytes += written.bytes
        return
      } catch (error) {
        throw this.#unavailable('set', error, key)
      }
    }
    const record = encodeRecord(keyBytes, value, expiresAt)
    const temp = helperPath(paths.file, 'tmp')
    try {
      await writeNewFile(temp, record, this.#options.fsync)
      await replaceWith(temp, paths.file, this.#options.fsync)
    } catch (error) {
      await unlinkQuietly(temp)
      throw this.#unavailable('set', error, key)
    }
    this.#counts.writes++
    this.#counts.writtenBytes += record.length
    await this.#noteWrite(paths.name, record.length)
  }

  async delete(key: string): Promise<boolean> {
    this.#begin(key)
    if (!this.#isReady) await this.#whenReady()
    const paths = entryPaths(this.directory, encodeKey(key))
    // Moving the file away first tells exactly what this call removed.
    const grave = helperPath(paths.file, 'dead')
    try {
      if (!(await renameIfExists(paths.file, grave))) return false
      this.#ledger?.forget(paths.name)
      const removed = await scanHeader(grave)
      await unlinkIfExists(grave)
      if (removed?.state === 'valid' && removed.linked) await dropPayloadsOf(paths)
      return removed?.state === 'valid' && removed.key === key && removed.expiresAt > Date.now()
    } catch (error) {
      await unlinkQuietly(grave)
      throw this.#unavailable('delete', error, key)
    }
  }

  /**
   * Reads the header of every entry file in the directory and removes the entries whose
   * key starts with `prefix`. Costs one open and one small read per file in the
   * directory, whatever the prefix; `clear('')` costs the same.
   */
  async clear(prefix: string): Promise<void> {
    this.#assertOpen()
    assertPrefix(prefix)
    if (!this.#isReady) await this.#whenReady()
    try {
      await clearEntries(this.directory, prefix, (name) => this.#ledger?.forget(name))
    } catch (error) {
      throw this.#unavailable('clear', error)
    }
  }

  /**
   * Set-if-absent, atomic across every process sharing the directory.
   *
   * The new file is written in full under a temporary name, then hard-linked to the
   * entry's name: `link` fails when the name exists, so of any number of callers on an
   * absent key exactly one wins. An expired (or corrupt) entry in the way is replaced
   * under the key's lock file: the holder moves the old file aside, checks that what it
   * moved is really dead (putting it back if a concurrent `set` had just replaced it),
   * then links. Callers that meet a live entry lose without taking the lock.
   */
  async add(key: string, value: Uint8Array, expiresAt: number): Promise<boolean> {
    const keyBytes = this.#begin(key)
    assertWrite(key, value, expiresAt)
    // Nothing to store; the answer is still whether the key was free.
    if (expiresAt <= Date.now()) return (await this.get(key)) === undefined
    this.#assertFits(key, value)
    if (!this.#isReady) await this.#whenReady()
    const paths = entryPaths(this.directory, keyBytes)
    const record = encodeRecord(keyBytes, value, expiresAt)
    const temp = helperPath(paths.file, 'tmp')
    let added: boolean
    try {
      await writeNewFile(temp, record, this.#options.fsync)
      added = await this.#linkUnlessLive(paths, keyBytes, temp)
    } catch (error) {
      throw this.#unavailable('add', error, key)
    } finally {
      await unlinkQuietly(temp)
    }
    if (added) {
      this.#counts.writes++
      this.#counts.writtenBytes += record.length
      await this.#noteWrite(paths.name, record.length)
    }
    return added
  }

  /**
   * Live keys starting with `prefix`. Like {@link clear}, reads the header of every entry
   * file in the directory.
   */
  async *keys(prefix: string): AsyncIterable<string> {
    this.#assertOpen()
    assertPrefix(prefix)
    if (!this.#isReady) await this.#whenReady()
    try {
      yield* liveKeys(this.directory, prefix)
    } catch (error) {
      throw this.#unavailable('keys', error)
    }
  }

  /**
   * Walks the directory once and removes expired and corrupt entries, plus helper files
   * left behind by crashed processes (temporary files and move-asides older than ten
   * minutes, locks older than five seconds). With `maxBytes`/`maxEntries` it also
   * recounts the directory, picking up what other processes wrote. Concurrent calls share
   * one walk. Resolves the number of entries removed.
   *
   * @example
   * ```ts
   * const removed = await store.purgeExpired()
   * ```
   */
  purgeExpired(): Promise<number> {
    try {
      this.#assertOpen()
    } catch (error) {
      return Promise.reject(error)
    }
    return this.#purger.run()
  }

  /**
   * This instance's counters, read from memory (no directory walk): `writes` (entries
   * written whole by `set` and `add`), `dedupedWrites` (`set`s under `dedupeWrites` that
   * found their payload file and wrote only the entry file), `writtenBytes` (bytes of the
   * files those writes wrote), `purges` (expired or corrupt
   * entries removed, by reads and purge walks), `evictions` (entries removed to stay within
   * `maxBytes`/`maxEntries`).
   * With `maxBytes` or `maxEntries`, also `files` and `bytes` of the directory, as the size
   * ledger knows them (all files as of the last purge walk, plus this process's writes).
   *
   * @example
   * ```ts
   * store.stats() // { writes: 120, dedupedWrites: 0, writtenBytes: 2_420_000, purges: 4, evictions: 0 }
   * ```
   */
  stats(): StoreStats {
    const counts = { ...this.#counts }
    return this.#ledger
      ? { ...counts, files: this.#ledger.count, bytes: this.#ledger.bytes }
      : counts
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#purger.stop()
  }

  /** Validates the key and the store's state; returns the encoded key. */
  #begin(key: string): Buffer {
    this.#assertOpen()
    assertKey(key)
    return encodeKey(key)
  }

  #assertOpen(): void {
    if (this.#closed) throw new ClosedError(`store '${this.name}' (${this.directory})`)
  }

  #assertFits(key: string, value: Uint8Array): void {
    const limit = this.capabilities.maxValueBytes ?? MAX_VALUE_BYTES
    if (value.byteLength > limit) throw new ValueTooLargeError(key, value.byteLength, limit)
  }

  /** Creates the directory once; a failure is retried by the next call. */
  #whenReady(): Promise<void> {
    this.#ready ??= mkdir(this.directory, { recursive: true }).then(
      () => {
        this.#isReady = true
        // The ledger starts empty: one purge walk fills it with what is already on disk.
        if (this.#ledger) this.#purger.runInBackground()
      },
      (error: unknown) => {
        this.#ready = undefined
        throw this.#unavailable('open', error)
      },
    )
    return this.#ready
  }

  async #purge(): Promise<number> {
    if (!this.#isReady) await this.#whenReady()
    const now = Date.now()
    let found: readonly FoundEntry[] = []
    let removed = 0
    this.#ledger?.beginRescan()
    try {
      const walk = await purgeWalk(this.directory, now, {
        isClosed: () => this.#closed,
        removeDead: (name) => this.#removeDeadEntry(entryPathsByName(this.directory, name)),
      })
      found = walk.found
      removed = walk.removed
    } catch (error) {
      this.#ledger?.cancelRescan()
      throw this.#unavailable('purgeExpired', error)
    }
    if (this.#closed) this.#ledger?.cancelRescan()
    else this.#ledger?.finishRescan(found)
    if (this.#ledger) await this.#evictOverflow()
    return removed
  }

  /** Removes an expired or corrupt entry unless another caller is busy with the key. */
  async #removeDeadEntry(paths: EntryPaths): Promise<boolean> {
    if (!(await tryLock(paths.lock))) return false
    try {
      const removed = (await this.#moveAsideIfDead(paths)) === 'removed'
      if (removed) this.#counts.purges++
      return removed
    } finally {
      await releaseLock(paths.lock)
    }
  }

  /**
   * Removes the entry file if it is dead, with the key's lock held. The file is renamed
   * away before it is judged, so a live file a concurrent `set` put there in the meantime
   * is detected and put back instead of lost.
   */
  async #moveAsideIfDead(paths: EntryPaths): Promise<'removed' | 'live' | 'missing'> {
    const grave = helperPath(paths.file, 'dead')
    if (!(await renameIfExists(paths.file, grave))) return 'missing'
    try {
      const moved = await readIfExists(grave)
      if (moved !== undefined && isLiveRecord(moved, Date.now())) {
        await linkIfAbsent(grave, paths.file, false)
        return 'live'
      }
      this.#ledger?.forget(paths.name)
      return 'removed'
    } finally {
      await unlinkQuietly(grave)
    }
  }

  /** The body of {@link add} once the new file is written to `temp`. */
  async #linkUnlessLive(paths: EntryPaths, keyBytes: Buffer, temp: string): Promise<boolean> {
    const fsync = this.#options.fsync
    if (await linkIfAbsent(temp, paths.file, fsync)) return true
    if (await this.#holdsLiveEntry(paths.file, keyBytes)) return false
    await acquireLock(paths.lock)
    try {
      if (await linkIfAbsent(temp, paths.file, fsync)) return true
      if (await this.#holdsLiveEntry(paths.file, keyBytes)) return false
      if ((await this.#moveAsideIfDead(paths)) === 'live') return false
      // A `set` or a first-time `add` may still take the name before this link: then it wins.
      return await linkIfAbsent(temp, paths.file, fsync)
    } finally {
      await releaseLock(paths.lock)
    }
  }

  async #holdsLiveEntry(file: string, keyBytes: Buffer): Promise<boolean> {
    const bytes = await readIfExists(file)
    return bytes !== undefined && decodeRecord(bytes, keyBytes, Date.now()).state === 'live'
  }

  /** Counts a write against the bounds and evicts the oldest entries past them. */
  async #noteWrite(name: string, size: number): Promise<void> {
    if (!this.#ledger) return
    this.#ledger.record(name, size)
    await this.#evictOverflow()
  }

  async #evictOverflow(): Promise<void> {
    const { maxBytes, maxEntries } = this.#options
    const evicted = this.#ledger?.takeOverflow(maxBytes, maxEntries) ?? []
    this.#counts.evictions += evicted.length
    await forEachLimited(evicted, WALK_CONCURRENCY, (name) =>
      unlinkQuietly(entryPathsByName(this.directory, name).file),
    )
  }

  #unavailable(operation: string, error: unknown, key?: string): unknown {
    if (StoreUnavailableError.isInstance(error) || ClosedError.isInstance(error)) return error
    const reason = error instanceof Error ? error.message : String(error)
    return new StoreUnavailableError(this.name, `${operation} failed: ${reason}`, error, key)
  }
}
