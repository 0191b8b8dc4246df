import type { Cache } from '../cache/cache.js'
import { InvalidOptionError, InvalidValueError } from '../errors.js'
import { assertCache, assertLocalOnly } from './cache-source.js'
import { type CallPlan, explicitName, planCalls } from './call-plan.js'
import type { WrapOptions } from './options.js'

/**
 * The helpers every wrapped function carries, computing the key from the same
 * arguments as a call.
 *
 * @example
 * ```ts
 * const getUser = wrap(cache, fetchUser, { key: 'user:{0}' })
 * getUser.key('42')                 // 'user:42'
 * await getUser.get('42')           // the cached user, or undefined; never calls fetchUser
 * await getUser.set(user, '42')     // caches `user` as the result of getUser('42')
 * await getUser.invalidate('42')    // true if an entry was removed
 * ```
 */
export interface WrappedHelpers<A extends unknown[], T> {
  /** The cached result for these arguments, or `undefined`; never calls the function. */
  get(...args: A): Promise<T | undefined>
  /** Caches `value` as the result for these arguments (with the wrap's `ttl` and `tags`). */
  set(value: T, ...args: A): Promise<void>
  /** Removes the cached result for these arguments; `true` if an entry was removed. */
  invalidate(...args: A): Promise<boolean>
  /** The cache key for these arguments. Throws `InvalidKeyError` when none can be built. */
  key(...args: A): string
}

/**
 * A function returned by {@link wrap}: it returns the cached result for its arguments,
 * calling the original on a miss, one call for all concurrent callers of a key.
 *
 * @example
 * ```ts
 * const getUser = wrap(cache, fetchUser, { key: 'user:{0}', ttl: '10m' })
 * const user = await getUser('42')            // cached
 * const fresh = await getUser.refresh('42')   // calls fetchUser and caches the result
 * const direct = await getUser.original('42') // bypasses the cache
 * ```
 */
export interface WrappedFunction<A extends unknown[], R> extends WrappedHelpers<A, Awaited<R>> {
  (...args: A): Promise<Awaited<R>>
  /** Calls the original function even on a hit and caches its result. */
  refresh(...args: A): Promise<Awaited<R>>
  /** The function that was wrapped, uncached. */
  readonly original: (...args: A) => R
}

/**
 * A synchronous function returned by {@link wrapSync}: same as {@link WrappedFunction},
 * but the call and `refresh` return the value itself, not a promise.
 *
 * @example
 * ```ts
 * const parse = wrapSync(localCache, parseTemplate, { key: 'template:{0}' })
 * const ast = parse(source) // no await
 * ```
 */
export interface WrappedSyncFunction<A extends unknown[], T> extends WrappedHelpers<A, T> {
  (...args: A): T
  /** Calls the original function even on a hit and caches its result. */
  refresh(...args: A): T
  /** The function that was wrapped, uncached. */
  readonly original: (...args: A) => T
}

/**
 * Wraps a function, sync or async, so that its results are cached in `cache` under a
 * key computed from its arguments. The wrapped function always returns a promise; use
 * {@link wrapSync} to keep a synchronous function synchronous over a local-only cache.
 *
 * The key is `options.key` (a template such as `'user:{0}'`, or a function of the
 * arguments), or by default `<name>:<arguments>` where `name` is `options.name` or the
 * function's name, and the arguments are canonically encoded (hashed when long). The
 * other options (`ttl`, `tags`, ...) apply to every call as in `cache.getOrSet`. The
 * function must not return `undefined`: return `null` to cache an absence.
 *
 * Throws `InvalidOptionError` for bad options, or a missing name on an anonymous
 * function without `key`. Calls reject with `InvalidKeyError` when the arguments cannot
 * form a key (a function, symbol, cycle or class instance in them; see docs/wrapping.md).
 *
 * @example
 * ```ts
 * import { createCache, memory, wrap } from '@stack/core'
 *
 * const cache = createCache({ tiers: [memory()] })
 * const getUser = wrap(cache, async (id: string) => db.users.find(id), {
 *   name: 'getUser', // default key: getUser:["42"]
 *   ttl: '10m',
 *   tags: ['users', 'user:{0}'],
 * })
 * const user = await getUser('42')
 * ```
 */
export function wrap<A extends unknown[], R>(
  cache: Cache,
  fn: (...args: A) => R,
  options: WrapOptions<A, Awaited<R>> = {},
): WrappedFunction<A, R> {
  const { plan, name } = prepare(cache, fn, options, 'wrap')
  const load = fn as unknown as (...args: A) => Awaited<R> | Promise<Awaited<R>>
  const wrapped = function (this: unknown, ...args: A): Promise<Awaited<R>> {
    try {
      return cache.getOrSet(
        plan.key(this, args),
        () => load.apply(this, args),
        plan.load(this, args),
      )
    } catch (error) {
      return Promise.reject(error)
    }
  }
  return withHelpers(wrapped, cache, fn, plan, name, {
    refresh: (...args: A) =>
      settle(() =>
        cache.getOrSet(
          plan.key(undefined, args),
          () => load(...args),
          plan.refresh(undefined, args),
        ),
      ),
  })
}

/**
 * Like {@link wrap}, for a synchronous function over a cache whose tiers are all local
 * (`memory()` only): the wrapped function returns the value, not a promise. Concurrent
 * callers cannot exist in synchronous code, so each miss makes one call.
 *
 * Throws `InvalidOptionError` at wrap time when `cache` has a remote tier, and calls
 * throw `InvalidValueError` when `fn` returns a promise.
 *
 * @example
 * ```ts
 * import { createCache, memory, wrapSync } from '@stack/core'
 *
 * const local = createCache({ tiers: [memory({ maxEntries: 1_000 })] })
 * const render = wrapSync(local, (name: string) => compile(read(name)), { key: 'tpl:{0}' })
 * const html = render('home')(data) // synchronous
 * ```
 */
export function wrapSync<A extends unknown[], T>(
  cache: Cache,
  fn: (...args: A) => T,
  options: WrapOptions<A, T> = {},
): WrappedSyncFunction<A, T> {
  const { plan, name, subject } = prepare(cache, fn, options, 'wrapSync')
  assertLocalOnly(cache, subject)
  const load = (self: unknown, args: A, key: string): T => {
    const value = fn.apply(self, args)
    if (typeof (value as PromiseLike<unknown> | null)?.then === 'function') {
      throw new InvalidValueError(
        `wrapSync(${subject}) got a promise for key "${key}"; wrap asynchronous functions with wrap()`,
        key,
      )
    }
    return value
  }
  const wrapped = function (this: unknown, ...args: A): T {
    const key = plan.key(this, args)
    return cache.getOrSetSync(key, () => load(this, args, key), plan.load(this, args))
  }
  return withHelpers(wrapped, cache, fn, plan, name, {
    refresh: (...args: A) => {
      const key = plan.key(undefined, args)
      return cache.getOrSetSync(
        key,
        () => load(undefined, args, key),
        plan.refresh(undefined, args),
      )
    },
  })
}

function prepare<T>(
  cache: Cache,
  fn: unknown,
  options: WrapOptions<never, T>,
  method: string,
): { plan: CallPlan<T>; name: string; subject: string } {
  assertCache(cache, `${method} expects a Cache as its first argument, got`)
  if (typeof fn !== 'function') {
    throw new InvalidOptionError('fn', `${method} expects a function to wrap, got ${typeof fn}`)
  }
  const name = explicitName(options?.name) ?? fn.name
  if (name === '' && options?.key === undefined) {
    throw new InvalidOptionError(
      'name',
      `${method} needs a name or a key for an anonymous function: the default key is <name>:<arguments>`,
    )
  }
  const subject = name === '' ? 'an anonymous function' : name
  return { plan: planCalls(options, () => subject), name, subject }
}

function withHelpers<A extends unknown[], R, W extends (...args: A) => unknown>(
  wrapped: W,
  cache: Cache,
  fn: (...args: A) => R,
  plan: CallPlan<Awaited<R>>,
  name: string,
  extra: { refresh: (...args: A) => ReturnType<W> },
): W & WrappedHelpers<A, Awaited<R>> & { original: (...args: A) => R } & typeof extra {
  Object.defineProperty(wrapped, 'name', { value: name })
  const helpers: WrappedHelpers<A, Awaited<R>> = {
    get: (...args) => settle(() => cache.get<Awaited<R>>(plan.key(undefined, args))),
    set: (value, ...args) =>
      settle(() => cache.set(plan.key(undefined, args), value, plan.set(undefined, args))),
    invalidate: (...args) => settle(() => cache.delete(plan.key(undefined, args))),
    key: (...args) => plan.key(undefined, args),
  }
  return Object.assign(wrapped, helpers, { original: fn }, extra)
}

/** Runs `call`, turning a synchronous throw (a key that cannot be built) into a rejection. */
function settle<T>(call: () => Promise<T>): Promise<T> {
  try {
    return call()
  } catch (error) {
    return Promise.reject(error)
  }
}
