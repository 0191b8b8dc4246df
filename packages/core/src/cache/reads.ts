import type { CacheEntry } from '../entry.js'
import type { TierStats } from '../stats.js'
import type { Watch } from './epochs.js'
import type { CacheRuntime } from './runtime.js'
import { setLocal } from './tier-caps.js'

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
  async readRemotes(
    fullKey: string,
    validate: ((entry: CacheEntry) => boolean) | undefined,
  ): Promise<Found | undefined> {
    const rt = this.#rt
    const watch = this.#backfills() ? rt.epochs.watch(fullKey) : undefined
    let stale: Found | undefined
    try {
      for (let i = 0; i < rt.remotes.length; i++) {
        const stats = rt.remoteStats[i] as TierStats
        const entry = await this.readTier(i, fullKey)
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
      if (watch !== undefined) rt.epochs.end(watch)
    }
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
