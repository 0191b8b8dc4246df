import type { CacheEntry } from '../entry.js'
import type { TierStats } from '../stats.js'
import type { Found } from './reads.js'
import type { CacheRuntime } from './runtime.js'

/** A stale entry a loader call may fall back to. */
export interface Fallback {
  readonly entry: CacheEntry
  /** Effective end of freshness (tags applied). */
  readonly freshUntil: number
  /** Remote tier index, or -1 for the local tier. */
  readonly tier: number
}

/** Counts (and emits, when someone listens) a fresh hit of the local tier; returns the value. */
export function localHit(rt: CacheRuntime, key: string, entry: CacheEntry): unknown {
  rt.stats.hits++
  ;(rt.localStats as TierStats).hits++
  if (rt.events.listening('hit')) {
    rt.events.emit('hit', { key, tier: (rt.local as { name: string }).name, stale: false })
  }
  return entry.value
}

/** Counts a fresh hit of a remote tier; returns the value. */
export function remoteHit(rt: CacheRuntime, key: string, found: Found): unknown {
  rt.stats.hits++
  if (rt.events.listening('hit')) {
    const tier = (rt.remoteStats[found.tier] as TierStats).name
    rt.events.emit('hit', { key, tier, stale: false })
  }
  return found.entry.value
}

/** Serves a stale value: counts it on the cache (stale or grace) and on its tier. */
export function staleHit(
  rt: CacheRuntime,
  key: string,
  fallback: Fallback,
  grace: boolean,
): unknown {
  if (grace) rt.stats.graceHits++
  else rt.stats.staleHits++
  const tierStats = fallback.tier < 0 ? rt.localStats : rt.remoteStats[fallback.tier]
  if (tierStats) tierStats.staleHits++
  if (rt.events.listening('hit')) {
    rt.events.emit('hit', { key, tier: tierStats?.name ?? 'unknown', stale: true })
  }
  return fallback.entry.value
}

/** Counts and emits a miss. */
export function miss(rt: CacheRuntime, key: string): void {
  rt.stats.misses++
  emitKey(rt, 'miss', key)
}

export function emitKey(rt: CacheRuntime, event: 'set' | 'delete' | 'miss', key: string): void {
  if (rt.events.listening(event)) rt.events.emit(event, { key })
}
