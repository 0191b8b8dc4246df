import { expect } from 'vitest'
import {
  type Cache,
  type CacheEntry,
  type CacheOptions,
  createCache,
  memory,
  memoryStore,
  type RemoteStore,
  StackError,
} from '../../src/index.js'
import { faultStore } from '../support/fault-store.js'

/** Short enough to keep tests quick, long enough to be a real bound under load. */
export const TIER_TIMEOUT = 40

/** Lets promise-driven background work (backfills, queued writes, retries) run. */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve))
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * A cache over a fault store wrapping a memoryStore, optionally behind a memory tier.
 * `extra` may carry options today's types do not know yet (e.g. `tagScope`).
 */
export function faultyCache(options: { local?: boolean; extra?: Record<string, unknown> } = {}) {
  const store = faultStore(memoryStore())
  const local = options.local ? memory<CacheEntry>() : undefined
  const cacheOptions = {
    tierTimeout: TIER_TIMEOUT,
    ...options.extra,
    tiers: local ? [local, store] : [store],
  } as CacheOptions
  return { cache: createCache(cacheOptions), store, local }
}

/** Another process: a cache of its own over the same remote store, no memory tier. */
export function secondProcess(store: RemoteStore, extra: Record<string, unknown> = {}): Cache {
  return createCache({ tierTimeout: TIER_TIMEOUT, ...extra, tiers: [store] } as CacheOptions)
}

/** Every raw key the store holds (the store must implement `keys`). */
export async function rawKeys(store: RemoteStore): Promise<string[]> {
  const keys: string[] = []
  for await (const key of store.keys!('')) keys.push(key)
  return keys.sort()
}

/** The raw keys `action` adds to `store`: how the engine encodes what it wrote. */
export async function keysWrittenBy(
  store: RemoteStore,
  action: () => Promise<unknown>,
): Promise<string[]> {
  const before = new Set(await rawKeys(store))
  await action()
  return (await rawKeys(store)).filter((key) => !before.has(key))
}

/**
 * Tries to reach `rawKey` through every user-facing door: as a key, and split at each
 * `:` into nested namespaces and a key — delete, set and the namespaces' clear. Errors
 * (a refused write) are ignored: what matters is what survives.
 */
export async function attack(cache: Cache, rawKey: string): Promise<void> {
  const attempt = (call: () => Promise<unknown>) => call().catch(() => undefined)
  await attempt(() => cache.delete(rawKey))
  await attempt(() => cache.deleteMany([rawKey]))
  await attempt(() => cache.set(rawKey, 'attacker'))
  const segments = rawKey.split(':')
  for (let cut = 1; cut < segments.length; cut++) {
    const key = segments.slice(cut).join(':')
    const nested = segments.slice(0, cut).filter((s) => s !== '')
    if (nested.length === 0) continue
    const flat = cache.namespace(segments.slice(0, cut).join(':'))
    let deep = cache
    for (const segment of nested) deep = deep.namespace(segment)
    for (const ns of [flat, deep]) {
      if (key !== '') {
        await attempt(() => ns.delete(key))
        await attempt(() => ns.set(key, 'attacker'))
      }
      await attempt(() => ns.clear())
    }
  }
}

/** Recovery counters as the lead's engine exposes them (`undefined` before it does). */
export interface RecoveryStats {
  readonly fenced: number
  readonly pending: number
  readonly recovered: number
  readonly retries: number
}

export function recoveryStats(cache: Cache): RecoveryStats | undefined {
  return (cache.stats() as { recovery?: RecoveryStats }).recovery
}

/** Errors counted by the cache or any of its tiers. */
export function errorCount(cache: Cache): number {
  const stats = cache.stats()
  return stats.errors + stats.tiers.reduce((sum, tier) => sum + tier.errors, 0)
}

/** `promise` rejects with a StackError carrying a code. */
export async function expectCodedError(promise: Promise<unknown>): Promise<StackError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(StackError.isInstance(error), `expected a StackError, got ${String(error)}`).toBe(true)
  expect((error as StackError).code).toMatch(/^E_[A-Z_]+$/)
  return error as StackError
}

/** Reads `key` now, after background work settles, and after a tier timeout: never `value`. */
export async function expectNeverServed(cache: Cache, key: string, value: unknown): Promise<void> {
  for (const wait of [() => Promise.resolve(), () => settle(), () => sleep(TIER_TIMEOUT * 2)]) {
    await wait()
    expect(await cache.get(key)).not.toEqual(value)
  }
}

/** Mutations of key `k` (or its namespace) that a write still on its way must not undo. */
export type Later = (view: Cache) => Promise<unknown>
export const laterMutations: [string, Later][] = [
  ['delete', (view) => view.delete('k')],
  ['deleteMany', (view) => view.deleteMany(['k', 'other'])],
  ['set v2', (view) => view.set('k', 'v2')],
  ['namespace clear', (view) => view.clear()],
]
