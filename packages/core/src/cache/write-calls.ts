import type { CacheEntry } from '../entry.js'
import { InvalidValueError } from '../errors.js'
import { buildEntry, writePolicy } from './entries.js'
import { emitKey } from './hits.js'
import { type SetOptions, type TierSelection, validateSetOptions, validateTags } from './options.js'
import type { CacheRuntime } from './runtime.js'
import { type EncodedWrite, encodeEntry } from './write-encoding.js'

/** One item of `Cache.setMany`. */
export interface SetManyItem<T = unknown> extends SetOptions {
  readonly key: string
  readonly value: T
}

/**
 * `set`: validates and builds the entry (so bad input fails even on a disabled cache),
 * then writes it to the selected tiers, unless the cache is disabled.
 */
export async function setValue(
  rt: CacheRuntime,
  key: string,
  fullKey: string,
  value: unknown,
  options: SetOptions | undefined,
): Promise<void> {
  if (options !== undefined) validateSetOptions(options, 'set')
  const entry = buildEntry(key, value, rt.clock(), writePolicy(rt.options.policy, options), options)
  if (!rt.enabled) return
  await rt.writes.write(fullKey, entry, options?.tiers ?? 'all')
  emitKey(rt, 'set', key)
}

/** `add`: like {@link setValue}, stored only if no live entry exists; `false` while disabled. */
export async function addValue(
  rt: CacheRuntime,
  key: string,
  fullKey: string,
  value: unknown,
  options: SetOptions | undefined,
): Promise<boolean> {
  if (options !== undefined) validateSetOptions(options, 'add')
  const entry = buildEntry(key, value, rt.clock(), writePolicy(rt.options.policy, options), options)
  if (!rt.enabled) return false
  const added = await addEntry(rt, fullKey, entry)
  if (added) emitKey(rt, 'set', key)
  return added
}

/**
 * `delete` and `deleteMany`: removes the keys from every tier, whether the cache is
 * enabled or not, so that re-enabling it never serves a value removed meanwhile.
 * Resolves how many keys the tier that held the most of them had.
 */
export async function removeKeys(
  rt: CacheRuntime,
  keys: readonly string[],
  fullKeys: readonly string[],
): Promise<number> {
  if (fullKeys.length === 0) return 0
  const removed = await rt.writes.remove(fullKeys)
  for (const key of keys) emitKey(rt, 'delete', key)
  return removed
}

/**
 * `setMany`: every item is validated and encoded before anything is written, then each
 * group of items with the same `tiers` is written with one batch call per tier.
 */
export async function writeMany<T>(
  rt: CacheRuntime,
  items: readonly SetManyItem<T>[],
  fullKeyOf: (key: string) => string,
): Promise<void> {
  if (!Array.isArray(items))
    throw new InvalidValueError('setMany expects an array of { key, value }')
  const now = rt.clock()
  const groups = new Map<TierSelection, EncodedWrite[]>()
  const keys: string[] = []
  for (const item of items) {
    const { key, value, ...options } = item
    const fullKey = fullKeyOf(key)
    validateSetOptions(options, 'setMany')
    const entry = buildEntry(key, value, now, writePolicy(rt.options.policy, options), options)
    const tiers = options.tiers ?? 'all'
    const bytes =
      tiers === 'local' || rt.remotes.length === 0 ? undefined : encodeEntry(rt, fullKey, entry)
    const group = groups.get(tiers) ?? []
    groups.set(tiers, group)
    group.push({ fullKey, entry, bytes })
    keys.push(key)
  }
  if (keys.length === 0 || !rt.enabled) return
  await Promise.all([...groups].map(([tiers, writes]) => rt.writes.writeMany(writes, tiers)))
  for (const key of keys) emitKey(rt, 'set', key)
}

/**
 * The add step of `add`: decided by the deepest remote tier with an atomic `add` (the deepest tier
 * otherwise), or by the local tier of a local-only cache.
 */
async function addEntry(rt: CacheRuntime, fullKey: string, entry: CacheEntry): Promise<boolean> {
  if (rt.remotes.length === 0) {
    const held = rt.local?.peek(fullKey)
    if (held !== undefined && rt.freshUntil(held, fullKey) !== Number.NEGATIVE_INFINITY) {
      return false
    }
    await rt.writes.write(fullKey, entry, 'local')
    return true
  }
  const native = rt.remotes.findLastIndex((tier) => tier.store.capabilities.add)
  return rt.writes.add(fullKey, entry, native >= 0 ? native : rt.remotes.length - 1)
}

/** `invalidateTags` / `expireTags` from the namespace at `path`. */
export async function changeTags(
  rt: CacheRuntime,
  path: string,
  tags: readonly string[],
  hard: boolean,
): Promise<void> {
  validateTags(tags)
  if (tags.length === 0) return
  const scope = rt.options.tagScope === 'cache' ? '' : path.slice(rt.root.length)
  const change = { scope, tags: [...tags], hard, at: rt.clock() }
  await rt.tags.record(change)
  await rt.announce({ tags: change })
  if (rt.events.listening('tags')) rt.events.emit('tags', { tags: change.tags, hard })
}
