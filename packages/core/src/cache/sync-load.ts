import { InvalidValueError } from '../errors.js'
import { buildEntry, checkLoaded } from './entries.js'
import { localHit, miss } from './hits.js'
import { LoadContext } from './load-context.js'
import type { GetOrSetOptions, LoaderContext } from './options.js'
import type { CacheRuntime } from './runtime.js'
import { checkSerializable } from './serializability.js'
import { setLocal } from './tier-caps.js'

/**
 * `getOrSetSync` over a local-only cache: a fresh local hit, or the loader's result,
 * cached in the local tier. A synchronous loader cannot be waited for, so there is no
 * stale-while-revalidate, timeout or single-flight to apply.
 */
export function loadSync<T>(
  rt: CacheRuntime,
  key: string,
  fullKey: string,
  loader: (context: LoaderContext) => T,
  options: GetOrSetOptions<T> | undefined,
): T {
  const policy = options === undefined ? rt.options.policy : rt.policyFor(options)
  const now = rt.clock()
  if (options?.forceFresh !== true && rt.local !== undefined && rt.enabled) {
    const entry = rt.local.get(fullKey, now)
    if (
      entry !== undefined &&
      now < rt.freshUntil(entry, fullKey) &&
      (options?.validate?.(entry) ?? true)
    ) {
      return localHit(rt, key, entry) as T
    }
  }
  miss(rt, key)
  const context = new LoadContext(key, undefined, options?.tags)
  const started = performance.now()
  rt.stats.loads++
  let value: T
  try {
    value = loader(context)
  } catch (error) {
    rt.stats.loadErrors++
    rt.reportError(key, undefined, 'load', error)
    throw error
  } finally {
    rt.stats.loadTime += performance.now() - started
  }
  if (typeof (value as PromiseLike<unknown> | null)?.then === 'function') {
    throw new InvalidValueError(`the loader for key "${key}" returned a promise; use getOrSet`, key)
  }
  checkLoaded(key, value)
  if (rt.enabled && !context.skipped && (options?.cacheIf?.(value) ?? true)) {
    const entry = buildEntry(key, value, now, policy, { ttl: context.ttl, tags: context.tags })
    checkSerializable(rt, fullKey, value)
    rt.epochs.changed(fullKey)
    rt.flights.supersede(fullKey)
    setLocal(rt, fullKey, entry)
    rt.stats.sets++
    void rt.announce({ keys: [fullKey] })
  }
  return value
}
