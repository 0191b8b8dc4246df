import type { Cache } from '../cache/cache.js'
import type { LoaderContext, SetOptions } from '../cache/options.js'
import { InvalidValueError } from '../errors.js'
import type { CallPlan } from './call-plan.js'
import { CallStats, type FunctionStats } from './call-stats.js'

/**
 * The helpers every wrapped function and decorated method has, computing the key from
 * the same arguments as a call.
 *
 * @example
 * ```ts
 * const getUser = wrap(cache, fetchUser, { key: 'user:{0}' })
 * getUser.key('42')                 // 'user:42'
 * await getUser.get('42')           // the cached user, or undefined; never calls fetchUser
 * await getUser.set(user, '42')     // caches `user` as the result of getUser('42')
 * await getUser.invalidate('42')    // true if an entry was removed
 * getUser.stats()                   // { hits, misses, errors, loads }
 * ```
 */
export interface WrappedHelpers<A extends unknown[], T> {
  /** The cached result for these arguments, or `undefined`; never calls the function. */
  get(...args: A): Promise<T | undefined>
  /**
   * Caches `value` as the result for these arguments, with the options' `tags` and
   * `ttl` (a `ttl` function is called with `value`; what it throws rejects the `set`).
   */
  set(value: T, ...args: A): Promise<void>
  /** Removes the cached result for these arguments; `true` if an entry was removed. */
  invalidate(...args: A): Promise<boolean>
  /** The cache key for these arguments. Throws `InvalidKeyError` when none can be built. */
  key(...args: A): string
  /** This function's counters (for a method: of all instances together). */
  stats(): FunctionStats
}

/** A function of the receiver and the arguments. */
type OfCall<R> = (self: unknown, args: readonly unknown[]) => R

/**
 * Runs the calls and helpers of one wrapped function or decorated method: finds the
 * cache and the key of a call, runs the original on a miss (applying a `ttl` function
 * to its result), and counts.
 */
export class CallRunner<A extends unknown[], T> {
  readonly stats = new CallStats()
  readonly #plan: CallPlan<T>
  readonly #original: (this: unknown, ...args: A) => unknown
  readonly #cacheOf: (self: unknown) => Cache
  readonly #keyOf: OfCall<string>
  readonly #subject: string

  constructor(
    plan: CallPlan<T>,
    original: (this: unknown, ...args: A) => unknown,
    cacheOf: (self: unknown) => Cache,
    keyOf: OfCall<string>,
    subject: string,
  ) {
    this.#plan = plan
    this.#original = original
    this.#cacheOf = cacheOf
    this.#keyOf = keyOf
    this.#subject = subject
  }

  /** A call: the cached result, or one run of the original shared by concurrent callers. */
  call(self: unknown, args: A): Promise<T> {
    let key: string
    try {
      key = this.#keyOf(self, args)
    } catch (error) {
      this.stats.errors++
      return Promise.reject(error)
    }
    return this.stats.track(key, () => {
      const cache = this.#cacheOf(self)
      return cache.getOrSet(
        key,
        (context) => this.#load(cache, self, args, key, context),
        this.#plan.load(self, args),
      )
    })
  }

  /** A call of a synchronous function over a local-only cache (`getOrSetSync`). */
  callSync(self: unknown, args: A): T {
    let ran = false
    try {
      const key = this.#keyOf(self, args)
      const cache = this.#cacheOf(self)
      const value = cache.getOrSetSync(
        key,
        (context) => {
          ran = true
          return this.#loadSync(cache, self, args, key, context)
        },
        this.#plan.load(self, args),
      )
      if (ran) this.stats.misses++
      else this.stats.hits++
      return value
    } catch (error) {
      this.stats.errors++
      throw error
    }
  }

  /**
   * Runs the original even on a hit and caches its result with `set`, so the entry is
   * written by a run that began after this call: a load already in flight is superseded
   * (its result is not cached), not joined. `cacheIf` applies; timeouts do not.
   */
  refresh(self: unknown, args: A): Promise<T> {
    return settle(async () => {
      const key = this.#keyOf(self, args)
      const cache = this.#cacheOf(self)
      this.stats.loads++
      const value = (await this.#original.apply(self, args)) as T
      if (this.#plan.cacheIf?.(value) ?? true) {
        await cache.set(key, value, this.#writeOptions(self, args, value))
      }
      return value
    })
  }

  refreshSync(self: unknown, args: A): T {
    const key = this.#keyOf(self, args)
    const cache = this.#cacheOf(self)
    return cache.getOrSetSync(
      key,
      (context) => this.#loadSync(cache, self, args, key, context),
      this.#plan.refresh(self, args),
    )
  }

  /** The helpers, computing keys with `self` as the receiver. */
  helpers(self: unknown): WrappedHelpers<A, T> {
    return {
      get: (...args) => settle(() => this.#cacheOf(self).get<T>(this.#keyOf(self, args))),
      set: (value, ...args) =>
        settle(() => {
          const key = this.#keyOf(self, args)
          return this.#cacheOf(self).set(key, value, this.#writeOptions(self, args, value))
        }),
      invalidate: (...args) => settle(() => this.#cacheOf(self).delete(this.#keyOf(self, args))),
      key: (...args) => this.#keyOf(self, args),
      stats: () => this.stats.snapshot(),
    }
  }

  /** The options of a write of `value`: the plan's, with the `ttl` function's result. */
  #writeOptions(self: unknown, args: A, value: T): SetOptions | undefined {
    const options = this.#plan.set(self, args)
    const ttl = this.#plan.resultTtl?.(value, self, args)
    return ttl === undefined ? options : { ...options, ttl }
  }

  #load(cache: Cache, self: unknown, args: A, key: string, context: LoaderContext): T | Promise<T> {
    this.stats.loads++
    const result = this.#original.apply(self, args)
    if (!isPromiseLike(result)) return this.#loaded(cache, result as T, self, args, key, context)
    return Promise.resolve(result).then((value) =>
      this.#loaded(cache, value as T, self, args, key, context),
    )
  }

  #loadSync(cache: Cache, self: unknown, args: A, key: string, context: LoaderContext): T {
    this.stats.loads++
    const result = this.#original.apply(self, args)
    if (isPromiseLike(result)) {
      // A rejected promise nobody awaits would crash the process.
      Promise.resolve(result).catch(() => undefined)
      throw new InvalidValueError(
        `wrapSync(${this.#subject}) got a promise for key "${key}"; wrap asynchronous functions with wrap()`,
        key,
      )
    }
    return this.#loaded(cache, result as T, self, args, key, context)
  }

  #loaded(cache: Cache, value: T, self: unknown, args: A, key: string, context: LoaderContext): T {
    const ttl = this.#plan.resultTtl?.(value, self, args)
    if (ttl !== undefined) context.setTtl(ttl)
    this.stats.loaded(cache, key, value, context.stale)
    return value
  }
}

/** Runs `call`, turning a synchronous throw (a key that cannot be built) into a rejection. */
export function settle<T>(call: () => Promise<T>): Promise<T> {
  try {
    return call()
  } catch (error) {
    return Promise.reject(error)
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function'
}
