import type { CacheEntry } from '../entry.js'

/** What this process knows of one tag. Timestamps are epoch ms; `-Infinity` for never. */
interface TagState {
  invalidatedAt: number
  expiredAt: number
  syncedAt: number
}

/** Where tag timestamps live in the remote tiers; the cache implements it. */
export interface TagStorage {
  /** The newest valid timestamp each key holds in any remote tier (`-Infinity` when none). */
  read(keys: readonly string[], now: number): Promise<number[]>
  /** Writes `timestamp` under `key` in every remote tier. */
  write(key: string, timestamp: number): Promise<void>
  /** The key of a tag's hard (`invalidateTags`) or soft (`expireTags`) timestamp. */
  key(hard: boolean, scope: string, tag: string): string
}

/** A tag change, as recorded and as it travels on the bus. */
export interface TagChange {
  /** The namespace path the tags belong to (`''` for the root, or for cache-wide tags). */
  readonly scope: string
  readonly tags: readonly string[]
  /** `true` for `invalidateTags` (dead), `false` for `expireTags` (stale). */
  readonly hard: boolean
  readonly at: number
}

/** Tag states kept in memory; past this, the oldest are folded into a summary. */
export const MAX_TAG_STATES = 50_000

/**
 * Lazy tag invalidation. `invalidateTags` and `expireTags` cost one write per tag,
 * whatever the number of tagged entries: they record a timestamp, and every read
 * compares an entry's `createdAt` with the timestamps of its tags, in the entry's scope.
 *
 * - An entry created at or before its tag's `invalidatedAt` is dead: never served,
 *   not even as a stale or grace fallback.
 * - An entry created at or before its tag's `expiredAt` is fresh only until then.
 *
 * Memory is bounded: past {@link MAX_TAG_STATES} states, states that only cache a read
 * are dropped (they are read again when needed), then the oldest others, whose
 * timestamps are folded into two numbers: an entry whose tag has no state and that was
 * created at or before the newest folded invalidation is treated as invalidated (a
 * wasted miss at worst, never a value a forgotten invalidation covered).
 */
export class TagRegistry {
  readonly #scopes = new Map<string, Map<string, TagState>>()
  readonly #storage: TagStorage | undefined
  readonly #syncInterval: number
  readonly #syncing = new Map<string, Promise<void>>()
  readonly #maxStates: number
  #size = 0
  #foldedInvalidatedAt = Number.NEGATIVE_INFINITY
  #foldedExpiredAt = Number.NEGATIVE_INFINITY

  constructor(storage: TagStorage | undefined, syncInterval: number, maxStates = MAX_TAG_STATES) {
    this.#storage = storage
    this.#syncInterval = syncInterval
    this.#maxStates = maxStates
  }

  /**
   * Treats every entry created at or before `at` whose tag this registry has no state for
   * as invalidated: what a restarted process must assume of a persistent local tier,
   * whose entries may carry tags invalidated while it was down.
   */
  assumeInvalidatedUntil(at: number): void {
    this.#foldedInvalidatedAt = Math.max(this.#foldedInvalidatedAt, at)
  }

  /** Tag states held now (bounded by {@link MAX_TAG_STATES}). */
  get size(): number {
    return this.#size
  }

  /**
   * When `entry` stops being fresh, given its tags in `scope`: its own `freshUntil`, an
   * earlier tag expiry, or `-Infinity` when a tag invalidated it.
   */
  freshUntil(entry: CacheEntry, scope: string): number {
    let freshUntil = entry.freshUntil
    const states = this.#scopes.get(scope)
    for (const tag of entry.tags) {
      const state = states?.get(tag)
      const invalidatedAt = state?.invalidatedAt ?? this.#foldedInvalidatedAt
      const expiredAt = state?.expiredAt ?? this.#foldedExpiredAt
      if (invalidatedAt >= entry.createdAt) return Number.NEGATIVE_INFINITY
      if (expiredAt >= entry.createdAt && expiredAt < freshUntil) freshUntil = expiredAt
    }
    return freshUntil
  }

  /** Whether some of `tags` were not read from the remote tiers within the sync interval. */
  isStale(tags: readonly string[], scope: string, now: number): boolean {
    if (this.#storage === undefined) return false
    const states = this.#scopes.get(scope)
    for (const tag of tags) {
      const state = states?.get(tag)
      if (state === undefined || now - state.syncedAt >= this.#syncInterval) return true
    }
    return false
  }

  /** Re-reads the timestamps of `tags` from the remote tiers; concurrent syncs of a tag share one read. */
  async sync(tags: readonly string[], scope: string, now: number): Promise<void> {
    const storage = this.#storage
    if (storage === undefined) return
    const pending: Promise<void>[] = []
    const missing: string[] = []
    for (const tag of tags) {
      const inFlight = this.#syncing.get(`${scope}#${tag}`)
      if (inFlight) pending.push(inFlight)
      else missing.push(tag)
    }
    if (missing.length > 0) {
      const read = this.#read(storage, missing, scope, now)
      for (const tag of missing) this.#syncing.set(`${scope}#${tag}`, read)
      pending.push(
        read.finally(() => {
          for (const tag of missing) this.#syncing.delete(`${scope}#${tag}`)
        }),
      )
    }
    await Promise.all(pending)
  }

  /** Records a change in this process, then in the remote tiers (when any). */
  async record(change: TagChange): Promise<void> {
    this.apply(change)
    const storage = this.#storage
    if (storage === undefined) return
    await Promise.all(
      change.tags.map((tag) =>
        storage.write(storage.key(change.hard, change.scope, tag), change.at),
      ),
    )
  }

  /** Applies a change this process learned of (its own, or from the bus). */
  apply(change: TagChange): void {
    for (const tag of change.tags) {
      this.#update(
        change.scope,
        tag,
        change.hard ? change.at : Number.NEGATIVE_INFINITY,
        change.hard ? Number.NEGATIVE_INFINITY : change.at,
        undefined,
      )
    }
  }

  /** Forgets when tags were last read, so the next reads re-read them (after a bus outage). */
  markAllStale(): void {
    for (const states of this.#scopes.values()) {
      for (const state of states.values()) state.syncedAt = Number.NEGATIVE_INFINITY
    }
  }

  async #read(storage: TagStorage, tags: readonly string[], scope: string, now: number) {
    const keys = tags.flatMap((tag) => [
      storage.key(true, scope, tag),
      storage.key(false, scope, tag),
    ])
    const timestamps = await storage.read(keys, now)
    tags.forEach((tag, i) => {
      this.#update(
        scope,
        tag,
        timestamps[2 * i] ?? Number.NEGATIVE_INFINITY,
        timestamps[2 * i + 1] ?? Number.NEGATIVE_INFINITY,
        now,
      )
    })
  }

  #update(
    scope: string,
    tag: string,
    invalidatedAt: number,
    expiredAt: number,
    syncedAt: number | undefined,
  ): void {
    let states = this.#scopes.get(scope)
    if (states === undefined) {
      states = new Map()
      this.#scopes.set(scope, states)
    }
    const state = states.get(tag)
    if (state === undefined) {
      states.set(tag, { invalidatedAt, expiredAt, syncedAt: syncedAt ?? Number.NEGATIVE_INFINITY })
      if (++this.#size > this.#maxStates) this.#shrink()
      return
    }
    state.invalidatedAt = Math.max(state.invalidatedAt, invalidatedAt)
    state.expiredAt = Math.max(state.expiredAt, expiredAt)
    if (syncedAt !== undefined) state.syncedAt = syncedAt
  }

  /** Brings the states down to 90% of the bound: read-only states first, then the oldest. */
  #shrink(): void {
    const target = Math.floor(this.#maxStates * 0.9)
    for (const keepTimestamps of [true, false]) {
      for (const [scope, states] of this.#scopes) {
        for (const [tag, state] of states) {
          if (this.#size <= target) return
          const known =
            state.invalidatedAt !== Number.NEGATIVE_INFINITY ||
            state.expiredAt !== Number.NEGATIVE_INFINITY
          if (known && keepTimestamps) continue
          this.#foldedInvalidatedAt = Math.max(this.#foldedInvalidatedAt, state.invalidatedAt)
          this.#foldedExpiredAt = Math.max(this.#foldedExpiredAt, state.expiredAt)
          states.delete(tag)
          this.#size--
        }
        if (states.size === 0) this.#scopes.delete(scope)
      }
    }
  }
}
