import type { Cache } from '../cache/cache.js'
import { InvalidOptionError } from '../errors.js'
import { describeValue } from './key-template.js'

/**
 * A cache for a decorator: the cache itself, or a function returning it, called with the
 * instance (or the class, for a static method) on every call.
 *
 * @example
 * ```ts
 * class Users {
 *   constructor(readonly cache: Cache) {}
 *   @cached((self: Users) => self.cache, { key: 'user:{0}' })
 *   async find(id: string) { ... }
 * }
 * ```
 */
export type CacheSource<This> = Cache | ((self: This) => Cache)

/**
 * Compiles a decorator's cache source to a function of the receiver: a `Cache` is
 * checked once, a function's result on every call.
 */
export function cacheResolver<This>(source: CacheSource<This>): (self: This) => Cache {
  if (typeof source !== 'function') {
    assertCache(source, 'the decorator expects a Cache or a function returning one, got')
    return () => source
  }
  return (self) => {
    const cache = source(self)
    assertCache(cache, 'the cache function returned')
    return cache
  }
}

/** Throws `InvalidOptionError` unless `cache` looks like a {@link Cache}. */
export function assertCache(cache: unknown, what: string): asserts cache is Cache {
  if (typeof (cache as Partial<Cache> | null)?.getOrSet !== 'function') {
    throw new InvalidOptionError('cache', `${what} ${describeValue(cache)}, not a Cache`)
  }
}

/** Throws `InvalidOptionError` unless every tier of `cache` is local. */
export function assertLocalOnly(cache: Cache, subject: string): void {
  if (!cache.isLocalOnly) {
    throw new InvalidOptionError(
      'cache',
      `wrapSync(${subject}) needs a cache whose tiers are all local (memory); cache ` +
        `"${cache.name}" has remote tiers. Use wrap() instead`,
    )
  }
}
