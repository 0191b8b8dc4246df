import type { EvictionReason } from '@stack/core'
import { decodeKey, prefixRange } from '../keys.js'
import type { TierStatements } from './schema.js'

/** Most expired rows a single write removes, as the memory tier's write sweep. */
export const SWEEP_BUDGET = 8

/** A row as `get` reads it. */
export interface Row {
  readonly value: Uint8Array
  readonly expires_at: number
}

/**
 * A row a write removed, reported to listeners once the write has committed (`value` is
 * left out when nobody listens).
 */
export interface Removal {
  readonly key: string
  readonly value: Uint8Array | undefined
  readonly reason: EvictionReason
}

/**
 * Sweeps up to {@link SWEEP_BUDGET} expired rows, then evicts the least recently used
 * rows but `keep` until the table holds at most `maxEntries` rows; appends them to
 * `removed`, in the memory tier's order (expiry, then recency).
 */
export function makeRoom(
  sql: TierStatements,
  keep: Buffer,
  now: number,
  maxEntries: number,
  removed: Removal[],
): void {
  removed.push(...sweep(sql, now, SWEEP_BUDGET))
  const excess = (sql.counters.get() as { rows: number }).rows - maxEntries
  if (excess <= 0) return
  const victims = sql.evict.all(keep, excess) as {
    key: Uint8Array
    value: Uint8Array
    last_used: number
  }[]
  // RETURNING gives no order: report victims least recently used first.
  victims.sort((a, b) => a.last_used - b.last_used)
  for (const victim of victims) {
    removed.push({ key: decodeKey(victim.key), value: victim.value, reason: 'capacity' })
  }
}

/** Removes up to `limit` rows dead at `now`, soonest expiry first. */
export function sweep(sql: TierStatements, now: number, limit: number): Removal[] {
  const rows = sql.sweep.all(now, limit) as {
    key: Uint8Array
    value: Uint8Array
    expires_at: number
  }[]
  rows.sort((a, b) => a.expires_at - b.expires_at)
  return rows.map((row) => ({ key: decodeKey(row.key), value: row.value, reason: 'expired' }))
}

/** Deletes `key`'s row; reported as `reason`, or `'expired'` when it was dead already. */
export function removeKey(
  sql: TierStatements,
  key: string,
  stored: Buffer,
  reason: EvictionReason,
  now: number,
): Removal[] {
  const rows = sql.delete.all(stored) as unknown as Row[]
  return rows.map((row) => ({
    key,
    value: row.value,
    reason: row.expires_at <= now ? 'expired' : reason,
  }))
}

/**
 * Deletes every row whose key starts with `prefix` (one range of the primary key, see
 * keys.ts), reported as `'deleted'`, or `'expired'` for rows already dead. Values are
 * read back only when `withValues` (someone listens).
 */
export function clearPrefix(
  sql: TierStatements,
  prefix: string,
  now: number,
  withValues: boolean,
): Removal[] {
  const { from, to } = prefixRange(prefix)
  let rows: unknown[]
  if (withValues) {
    if (prefix === '') rows = sql.clearAll.all()
    else rows = to === undefined ? sql.clearFrom.all(from) : sql.clearRange.all(from, to)
  } else if (prefix === '') {
    rows = sql.clearAllQuietly.all()
  } else {
    rows = to === undefined ? sql.clearFromQuietly.all(from) : sql.clearRangeQuietly.all(from, to)
  }
  return (rows as { key?: Uint8Array; value?: Uint8Array; expires_at: number }[]).map((row) => ({
    key: row.key === undefined ? '' : decodeKey(row.key),
    value: row.value,
    reason: row.expires_at <= now ? 'expired' : 'deleted',
  }))
}
