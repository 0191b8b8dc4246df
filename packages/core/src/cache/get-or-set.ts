import { InvalidOptionError } from '../errors.js'
import { checkLoaded } from './entries.js'
import { type Fallback, localHit, miss } from './hits.js'
import { LoadContext } from './load-context.js'
import type { LoadPipeline } from './loader.js'
import type { GetOrSetOptions, LoaderContext } from './options.js'
import type { CacheRuntime } from './runtime.js'

/**
 * `getOrSet`: a fresh local hit answers at once (starting early refresh or a tag sync
 * when due); anything else goes to the load pipeline, with the stale local entry as a
 * fallback. A disabled cache calls the loader every time and caches nothing.
 */
export function getOrSet<T>(
  rt: CacheRuntime,
  loads: LoadPipeline,
  key: string,
  fullKey: string,
  loader: (context: LoaderContext) => T | Promise<T>,
  options: GetOrSetOptions<T> | undefined,
): Promise<T> | T {
  const policy = options === undefined ? rt.options.policy : rt.policyFor(options)
  if (!rt.enabled) return loadDisabled(rt, key, loader, options)
  let fallback: Fallback | undefined
  if (options?.forceFresh !== true && options?.tiers !== 'remote' && rt.local !== undefined) {
    const now = rt.clock()
    const entry = rt.local.get(fullKey, now)
    if (entry !== undefined) {
      const freshUntil = rt.freshUntil(entry, fullKey)
      if (freshUntil !== Number.NEGATIVE_INFINITY && (options?.validate?.(entry) ?? true)) {
        if (now < freshUntil) {
          if (policy.beta > 0 || entry.tags.length > 0)
            loads.maintain({ key, fullKey, loader, policy, options }, entry, now, freshUntil)
          return localHit(rt, key, entry) as T
        }
        fallback = { entry, freshUntil, tier: -1 }
      }
    }
  }
  if (typeof loader !== 'function')
    throw new InvalidOptionError('loader', 'getOrSet needs a loader function')
  return loads.resolve({ key, fullKey, loader, policy, options }, fallback) as Promise<T> | T
}

/** A disabled cache's `getOrSet`: a miss and a loader call, its result not cached. */
async function loadDisabled<T>(
  rt: CacheRuntime,
  key: string,
  loader: (context: LoaderContext) => T | Promise<T>,
  options: GetOrSetOptions<T> | undefined,
): Promise<T> {
  if (typeof loader !== 'function')
    throw new InvalidOptionError('loader', 'getOrSet needs a loader function')
  miss(rt, key)
  rt.stats.loads++
  const value = await loader(new LoadContext(key, undefined, options?.tags))
  checkLoaded(key, value)
  return value
}
