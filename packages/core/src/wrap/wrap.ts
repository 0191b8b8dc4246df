import type { Cache } from '../cache/cache.js'
import { InvalidOptionError } from '../errors.js'
import { assertCache, assertLocalOnly } from './cache-source.js'
import { explicitName, planCalls, type Wrapper } from './call-plan.js'
import { CallRunner, type WrappedHelpers } from './call-runner.js'
import type { WrapOptions } from './options.js'

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
 * getUser.stats()                             // { hits, misses, errors, loads }
 * ```
 */
export interface WrappedFunction<A extends unknown[], R> extends WrappedHelpers<A, Awaited<R>> {
  (...args: A): Promise<Awaited<R>>
  /**
   * Runs the original now, even on a hit, and caches its result: never joins a load
   * already in flight, so what it caches comes from a run begun after the call.
   */
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
 * other options (`ttl`, `tags`, ...) apply to every call as in `cache.getOrSet`; `ttl`
 * may also be a function of the result. The function must not return `undefined`:
 * return `null` to cache an absence. The result carries helpers (`get`, `set`,
 * `invalidate`, `refresh`, `key`, `original`, `stats`).
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
 *   ttl: (user) => (user === null ? '30s' : '10m'),
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
  const { runner, name } = prepare<A, Awaited<R>>(cache, fn, options, 'wrap')
  const wrapped = function (this: unknown, ...args: A): Promise<Awaited<R>> {
    return runner.call(this, args)
  }
  Object.defineProperty(wrapped, 'name', { value: name })
  return Object.assign(wrapped, runner.helpers(undefined), {
    refresh: (...args: A) => runner.refresh(undefined, args),
    original: fn,
  })
}

/**
 * Like {@link wrap}, for a synchronous function over a cache whose tiers are all local
 * (`memory()` only): the wrapped function returns the value, not a promise. Concurrent
 * callers cannot exist in synchronous code, so each miss makes one call.
 *
 * Throws `InvalidOptionError` at wrap time when `cache` has a remote tier or an option
 * it cannot apply is given (`staleWhileRevalidate`, `grace`, `graceBackoff`,
 * `softTimeout`, `hardTimeout`, `earlyRefresh`, `tiers`), and calls throw
 * `InvalidValueError` when `fn` returns a promise.
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
  const { runner, name } = prepare<A, T>(cache, fn, options, 'wrapSync')
  const wrapped = function (this: unknown, ...args: A): T {
    return runner.callSync(this, args)
  }
  Object.defineProperty(wrapped, 'name', { value: name })
  return Object.assign(wrapped, runner.helpers(undefined), {
    refresh: (...args: A) => runner.refreshSync(undefined, args),
    original: fn,
  })
}

/** Checks the arguments of wrap/wrapSync, names the wrapped function and compiles the options. */
function prepare<A extends unknown[], T>(
  cache: Cache,
  fn: (...args: A) => unknown,
  options: WrapOptions<A, T>,
  wrapper: Wrapper,
): { runner: CallRunner<A, T>; name: string } {
  assertCache(cache, `${wrapper} expects a Cache as its first argument, got`)
  if (typeof fn !== 'function') {
    throw new InvalidOptionError('fn', `${wrapper} expects a function to wrap, got ${typeof fn}`)
  }
  const name = explicitName(options?.name) ?? fn.name
  if (name === '' && options?.key === undefined) {
    throw new InvalidOptionError(
      'name',
      `${wrapper} needs a name or a key for an anonymous function: the default key is <name>:<arguments>`,
    )
  }
  const subject = name === '' ? 'an anonymous function' : name
  const plan = planCalls(options as WrapOptions<never, T>, () => subject, wrapper)
  if (wrapper === 'wrapSync') assertLocalOnly(cache, subject)
  return { runner: new CallRunner(plan, fn, () => cache, plan.key, subject), name }
}
