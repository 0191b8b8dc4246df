import type { CacheEntry } from '../entry.js'
import type { TierStats } from '../stats.js'
import type { Watch } from './epochs.js'
import type { RemoteTier } from './remote-tier.js'
import type { CacheRuntime } from './runtime.js'
import { setLocal } from './tier-caps.js'

const foundAsIs = (found: Found | undefined): Found | undefined => found

/** An entry found in a tier, and which one (`-1` for the local tier). */
export interface Found {
  readonly entry: CacheEntry
  readonly tier: number
  /** The entry's effective end of freshness (tags applied). */
  readonly freshUntil: number
}

/**
 * The read path through the remote tiers, and backfill.
 *
 * A tier is skipped for a key (counted as a miss) while this process has a mutation of
 * that key pending on it, or while a failed mutation fenced it there: its copy may be
 * older than what this process has already promised. What a read finds is copied into
 * the faster tiers only if the key was not mutated while the read was in flight.
 */
export class Reads {
  readonly #rt: CacheRuntime

  constructor(runtime: CacheRuntime) {
    this.#rt = runtime
  }

  /**
   * The best live entry in the remote tiers: the first fresh one, or else the first
   * stale one. Tags of found entries are synced first; `validate` rejects entries.
   * Whatever is returned is backfilled into the tiers above it.
   */
  readRemotes(
    fullKey: string,
    validate: ((entry: CacheEntry) => boolean) | undefined,
  ): Promise<Found | undefined> {
    return this.readRemotesThen(fullKey, validate, foundAsIs)
  }

  /**
   * {@link readRemotes}, handing what it finds to `answer` in the same promise turn: a
   * fresh untagged entry in the first remote tier (the usual remote hit) is decoded,
   * judged, backfilled and answered in one step after the store's reply, one promise
   * per read instead of a chain of them.
   */
  readRemotesThen<R>(
    fullKey: string,
    validate: ((entry: CacheEntry) => boolean) | undefined,
    answer: (found: Found | undefined) => R,
  ): Promise<R> {
    const rt = this.#rt
    const watch = this.#backfills() ? rt.epochs.watch(fullKey) : undefined
    let bytes: Promise<Uint8Array | undefined>
    try {
      if (rt.remotes.length === 0 || !rt.calls.readable(0, fullKey)) {
        return this.#readOn(undefined, fullKey, validate, watch).then(answer)
      }
      bytes = rt.calls.readBytes(0, fullKey)
    } catch (error) {
      this.#end(watch)
      return Promise.reject(error)
    }
    return bytes.then(
      (stored) => {
        let entry: CacheEntry | undefined
        let found: Found | undefined
        try {
          entry = stored && (rt.remotes[0] as RemoteTier).decode(fullKey, stored)
          // With `validate`, the long way: it must see each entry once.
          found = validate === undefined ? this.#freshUntagged(entry, fullKey) : undefined
          if (found === undefined) return this.#readOn(entry, fullKey, validate, watch).then(answer)
          found = this.#backfilled(fullKey, found, watch)
        } catch (error) {
          this.#end(watch)
          throw error
        }
        this.#end(watch)
        return answer(found)
      },
      (error: unknown) => {
        try {
          rt.calls.readFailed(0, fullKey, error)
        } catch (failure) {
          this.#end(watch)
          throw failure
        }
        return this.#readOn(undefined, fullKey, validate, watch).then(answer)
      },
    )
  }

  /** `entry` of the first remote tier judged now, when it is untagged and fresh (a counted hit). */
  #freshUntagged(entry: CacheEntry | undefined, fullKey: string): Found | undefined {
    if (entry === undefined || entry.tags.length > 0) return undefined
    const now = this.#rt.clock()
    if (now >= entry.staleUntil) return undefined
    const found = this.#verdict(entry, fullKey, 0, undefined)
    if (found === undefined || now >= found.freshUntil) return undefined
    ;(this.#rt.remoteStats[0] as TierStats).hits++
    return found
  }

  /**
   * The rest of {@link readRemotes} once the first tier answered `first` and it was not a
   * fresh untagged hit: that answer judged (tags synced), then the tiers below. Ends
   * `watch`.
   */
  async #readOn(
    first: CacheEntry | undefined,
    fullKey: string,
    validate: ((entry: CacheEntry) => boolean) | undefined,
    watch: Watch | undefined,
  ): Promise<Found | undefined> {
    const rt = this.#rt
    let stale: Found | undefined
    try {
      for (let i = 0; i < rt.remotes.length; i++) {
        const stats = rt.remoteStats[i] as TierStats
        const entry = i === 0 ? first : await this.readTier(i, fullKey)
        let now = rt.clock()
        let found = entry && this.#judge(entry, fullKey, i, validate, now)
        if (found instanceof Promise) {
          found = await found
          now = rt.clock()
        }
        if (found === undefined) {
          stats.misses++
          continue
        }
        if (now < found.freshUntil) {
          stats.hits++
          return this.#backfilled(fullKey, found, watch)
        }
        stale ??= found
      }
      return stale && this.#backfilled(fullKey, stale, watch)
    } finally {
      this.#end(watch)
    }
  }

  #end(watch: Watch | undefined): void {
    if (watch !== undefined) this.#rt.epochs.end(watch)
  }

  /** Like {@link readRemotes} for many keys: one batch call per tier, for the keys still missing. */
  async readRemotesMany(fullKeys: readonly string[], found: (Found | undefined)[]): Promise<void> {
    const rt = this.#rt
    const watches = this.#backfills() ? rt.epochs.watchMany(fullKeys) : undefined
    try {
      for (let i = 0; i < rt.remotes.length; i++) {
        const stats = rt.remoteStats[i] as TierStats
        const missing: number[] = []
        for (let k = 0; k < fullKeys.length; k++) {
          if (found[k] !== undefined) continue
          if (rt.calls.readable(i, fullKeys[k] as string)) missing.push(k)
          else stats.misses++
        }
        if (missing.length === 0) continue
        const wanted = missing.map((k) => fullKeys[k] as string)
        const entries = await rt.calls.call(i, wanted[0], 'getMany', (tier) => tier.getMany(wanted))
        if (entries === undefined) {
          stats.misses += missing.length
          continue
        }
        // The batch arrived at one instant: one clock read, renewed after any await.
        let now = rt.clock()
        for (let j = 0; j < missing.length; j++) {
          const k = missing[j] as number
          const fullKey = fullKeys[k] as string
          const entry = entries[j]
          let judged = entry && this.#judge(entry, fullKey, i, undefined, now)
          if (judged instanceof Promise) {
            judged = await judged
            now = rt.clock()
          }
          if (judged === undefined || now >= judged.freshUntil) {
            stats.misses++
            continue
          }
          stats.hits++
          found[k] = this.#backfilled(fullKey, judged, watches?.[k])
        }
      }
    } finally {
      if (watches !== undefined) rt.epochs.endMany(watches)
    }
  }

  /**
   * One remote tier's entry for `fullKey`, or `undefined` when it has none, failed, or
   * cannot be trusted for this key now (a mutation pending or fenced there).
   */
  readTier(index: number, fullKey: string): Promise<CacheEntry | undefined> {
    const rt = this.#rt
    if (!rt.calls.readable(index, fullKey)) return Promise.resolve(undefined)
    return rt.calls.read(index, fullKey)
  }

  /**
   * Whether a read can find something to copy into a faster tier: not with a single
   * remote tier and no local one. Reads then need no watch (see {@link Epochs}).
   */
  #backfills(): boolean {
    return this.#rt.local !== undefined || this.#rt.remotes.length > 1
  }

  /**
   * Copies what a read found into the tiers above it, unless the key was mutated since
   * the read began. The entry keeps its own absolute deadlines, so this never extends
   * its life.
   */
  #backfilled(fullKey: string, found: Found, watch: Watch | undefined): Found {
    const rt = this.#rt
    if (watch === undefined || rt.epochs.changedSince(watch) || !rt.enabled) return found
    setLocal(rt, fullKey, found.entry)
    if (found.tier > 0) rt.writes.backfill(fullKey, found.entry, found.tier)
    return found
  }

  /**
   * The entry as found, or `undefined` when it is dead, invalidated or not `validate`d.
   * Synchronous for untagged entries: a batch of them costs no await per entry.
   */
  #judge(
    entry: CacheEntry,
    fullKey: string,
    tier: number,
    validate: ((entry: CacheEntry) => boolean) | undefined,
    now: number,
  ): Found | undefined | Promise<Found | undefined> {
    if (now >= entry.staleUntil) return undefined
    if (entry.tags.length === 0) return this.#verdict(entry, fullKey, tier, validate)
    return this.#rt
      .syncTags(entry, fullKey, now)
      .then(() => this.#verdict(entry, fullKey, tier, validate))
  }

  #verdict(
    entry: CacheEntry,
    fullKey: string,
    tier: number,
    validate: ((entry: CacheEntry) => boolean) | undefined,
  ): Found | undefined {
    const rt = this.#rt
    const freshUntil = rt.freshUntil(entry, fullKey)
    if (freshUntil === Number.NEGATIVE_INFINITY) return undefined
    if (validate !== undefined && !validate(entry)) return undefined
    return { entry, tier, freshUntil }
  }
}
