import type { CacheEntry } from '../entry.js'

/** What this process knows of one tag. Timestamps are epoch ms; `-Infinity` for never. */
interface TagState {
  invalidatedAt: number
  expiredAt: number
  syncedAt: number
}

/** Where tag timestamps live in the remote tiers; the cache implements it. */
export interface TagStorage {
  /** The newest timestamp each key holds in any remote tier (`-Infinity` when none). */
  read(keys: readonly string[]): Promise<number[]>
  /** Writes `timestamp` under `key` in every remote tier. */
  write(key: string, timestamp: number): Promise<void>
}

/** Tag changes as they travel on the bus. */
export interface TagChange {
  readonly tags: readonly string[]
  /** `true` for `invalidateTags` (dead), `false` for `expireTags` (stale). */
  readonly hard: boolean
  readonly at: number
}

/**
 * Lazy tag invalidation. `invalidateTags` and `expireTags` cost one write per tag,
 * whatever the number of tagged entries: they record a timestamp, and every read
 * compares an entry's `createdAt` with the timestamps of its tags.
 *
 * - An entry created at or before its tag's `invalidatedAt` is dead: never served,
 *   not even as a stale or grace fallback.
 * - An entry created at or before its tag's `expiredAt` is fresh only until then.
 *
 * Hard and soft timestamps live under separate keys, so two processes recording
 * different kinds of change at once cannot overwrite each other's.
 */
export class TagRegistry {
  readonly #states = new Map<string, TagState>()
  readonly #storage: TagStorage | undefined
  readonly #keyPrefix: string
  readonly #syncInterval: number
  readonly #syncing = new Map<string, Promise<void>>()

  constructor(storage: TagStorage | undefined, keyPrefix: string, syncInterval: number) {
    this.#storage = storage
    this.#keyPrefix = keyPrefix
    this.#syncInterval = syncInterval
  }

  /**
   * When `entry` stops being fresh, given its tags: its own `freshUntil`, an earlier
   * tag expiry, or `-Infinity` when a tag invalidated it.
   */
  freshUntil(entry: CacheEntry): number {
    let freshUntil = entry.freshUntil
    for (const tag of entry.tags) {
      const state = this.#states.get(tag)
      if (state === undefined) continue
      if (state.invalidatedAt >= entry.createdAt) return Number.NEGATIVE_INFINITY
      if (state.expiredAt >= entry.createdAt && state.expiredAt < freshUntil)
        freshUntil = state.expiredAt
    }
    return freshUntil
  }

  /** Whether some of `tags` were not read from the remote tiers within the sync interval. */
  isStale(tags: readonly string[], now: number): boolean {
    if (this.#storage === undefined) return false
    for (const tag of tags) {
      const state = this.#states.get(tag)
      if (state === undefined || now - state.syncedAt >= this.#syncInterval) return true
    }
    return false
  }

  /** Re-reads the timestamps of `tags` from the remote tiers; concurrent syncs of a tag share one read. */
  async sync(tags: readonly string[], now: number): Promise<void> {
    const storage = this.#storage
    if (storage === undefined) return
    const pending: Promise<void>[] = []
    const missing: string[] = []
    for (const tag of tags) {
      const inFlight = this.#syncing.get(tag)
      if (inFlight) pending.push(inFlight)
      else missing.push(tag)
    }
    if (missing.length > 0) {
      const read = this.#read(storage, missing, now)
      for (const tag of missing) this.#syncing.set(tag, read)
      pending.push(
        read.finally(() => {
          for (const tag of missing) this.#syncing.delete(tag)
        }),
      )
    }
    await Promise.all(pending)
  }

  /** Records a change in the remote tiers (when any) and in this process. */
  async record(change: TagChange): Promise<void> {
    this.apply(change)
    const storage = this.#storage
    if (storage === undefined) return
    await Promise.all(
      change.tags.map((tag) => storage.write(this.#key(tag, change.hard), change.at)),
    )
  }

  /** Applies a change this process learned of (its own, or from the bus). */
  apply(change: TagChange): void {
    for (const tag of change.tags) {
      const state = this.#states.get(tag)
      if (state === undefined) {
        this.#states.set(tag, {
          invalidatedAt: change.hard ? change.at : Number.NEGATIVE_INFINITY,
          expiredAt: change.hard ? Number.NEGATIVE_INFINITY : change.at,
          syncedAt: Number.NEGATIVE_INFINITY,
        })
      } else if (change.hard) {
        state.invalidatedAt = Math.max(state.invalidatedAt, change.at)
      } else {
        state.expiredAt = Math.max(state.expiredAt, change.at)
      }
    }
  }

  /** Forgets when tags were last read, so the next reads re-read them (after a bus outage). */
  markAllStale(): void {
    for (const state of this.#states.values()) state.syncedAt = Number.NEGATIVE_INFINITY
  }

  async #read(storage: TagStorage, tags: readonly string[], now: number): Promise<void> {
    const keys = tags.flatMap((tag) => [this.#key(tag, true), this.#key(tag, false)])
    const timestamps = await storage.read(keys)
    tags.forEach((tag, i) => {
      const invalidatedAt = timestamps[2 * i] ?? Number.NEGATIVE_INFINITY
      const expiredAt = timestamps[2 * i + 1] ?? Number.NEGATIVE_INFINITY
      const state = this.#states.get(tag)
      if (state === undefined) {
        this.#states.set(tag, { invalidatedAt, expiredAt, syncedAt: now })
      } else {
        state.invalidatedAt = Math.max(state.invalidatedAt, invalidatedAt)
        state.expiredAt = Math.max(state.expiredAt, expiredAt)
        state.syncedAt = now
      }
    })
  }

  #key(tag: string, hard: boolean): string {
    return `${this.#keyPrefix}${hard ? 'invalidated' : 'expired'}:${tag}`
  }
}
