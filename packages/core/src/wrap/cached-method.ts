import { InvalidOptionError } from '../errors.js'
import type { WrappedHelpers } from './call-runner.js'
import { describeValue } from './key-template.js'

/**
 * The helpers of a `@cached` method for one instance (or the class, for a static
 * method), as {@link cachedMethod} returns them: those of a wrapped function, with keys,
 * the cache and `includeThis` resolved for that instance.
 *
 * @example
 * ```ts
 * const find = cachedMethod(users, 'find')
 * await find.invalidate('42')
 * await find.refresh('42')
 * find.stats() // of Users#find across all instances
 * ```
 */
export interface CachedMethodHelpers<A extends unknown[], T> extends WrappedHelpers<A, T> {
  /** Runs the method even on a hit and caches its result. */
  refresh(...args: A): Promise<T>
  /** The undecorated method, called on the instance: uncached. */
  original(...args: A): Promise<T>
}

/** The names of `S`'s async methods. */
export type AsyncMethodName<S> = {
  [K in keyof S]: S[K] extends (...args: never[]) => Promise<unknown> ? K : never
}[keyof S]

type HelpersOf<M> = M extends (...args: infer A) => Promise<infer T>
  ? CachedMethodHelpers<A, T>
  : never

type HelpersFactory = (self: unknown) => CachedMethodHelpers<unknown[], unknown>

/** The decorated methods' replacements, each with how to build its helpers. */
const registry = new WeakMap<object, HelpersFactory>()

/** Records the helpers of a `@cached` method's replacement. */
export function registerHelpers(replacement: object, helpers: HelpersFactory): void {
  registry.set(replacement, helpers)
}

/**
 * The helpers of the `@cached` method `name` of `self` (an instance, or the class for a
 * static method): `invalidate`, `refresh`, `get`, `set`, `key`, `original` and `stats`,
 * bound to `self`, so `includeThis` and a cache function of the instance apply. When a
 * subclass overrides the method without `@cached`, the nearest decorated one up the
 * prototype chain is used. Throws `InvalidOptionError` (option `method`) when there is
 * none. Private (`#name`) methods cannot be looked up.
 *
 * @example
 * ```ts
 * import { cached, cachedMethod } from '@stack/core'
 *
 * class Users {
 *   @cached(cache, { key: 'user:{0}' })
 *   async find(id: string): Promise<User> { return db.users.find(id) }
 * }
 *
 * const users = new Users()
 * await cachedMethod(users, 'find').invalidate('42')
 * cachedMethod(users, 'find').key('42') // 'user:42'
 * ```
 */
export function cachedMethod<S extends object, K extends AsyncMethodName<S>>(
  self: S,
  name: K,
): HelpersOf<S[K]> {
  if ((typeof self !== 'object' && typeof self !== 'function') || self === null) {
    throw new InvalidOptionError(
      'self',
      `cachedMethod expects an instance or a class, got ${describeValue(self)}`,
    )
  }
  for (let holder: object | null = self; holder !== null; holder = Object.getPrototypeOf(holder)) {
    const value = Object.getOwnPropertyDescriptor(holder, name)?.value
    const helpers = typeof value === 'function' ? registry.get(value) : undefined
    if (helpers !== undefined) return helpers(self) as HelpersOf<S[K]>
  }
  throw new InvalidOptionError(
    'method',
    `${String(name)} is not a @cached method of ${describeValue(self)}`,
  )
}
