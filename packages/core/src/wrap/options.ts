import type { GetOrSetOptions } from '../cache/options.js'
import type { Duration } from '../duration.js'

/**
 * How a wrapped call's arguments become its cache key: a template such as
 * `'user:{0}'` (argument 0), `'user:{id}'` (property `id` of the first argument) or
 * `'order:{0.id}:{1}'`, or a function of the arguments returning the key.
 *
 * @example
 * ```ts
 * wrap(cache, getUser, { key: 'user:{0}' })
 * wrap(cache, search, { key: (query: string, page: number) => `search:${query}:${page}` })
 * ```
 */
export type KeyOption<A extends readonly unknown[]> = string | ((...args: A) => string)

/**
 * Tags stored with each cached result: templates like keys (`'user:{0}'`; a tag
 * without braces is a constant), or a function of the arguments.
 *
 * @example
 * ```ts
 * wrap(cache, getPost, { key: 'post:{0}', tags: ['posts', 'post:{0}'] })
 * wrap(cache, getPost, { tags: (id: string) => ['posts', `post:${id}`] })
 * ```
 */
export type TagsOption<A extends readonly unknown[]> =
  | readonly string[]
  | ((...args: A) => readonly string[])

/**
 * A fresh lifetime for each result: a duration, or a function of the result (and the
 * call's arguments) returning one, or `undefined` for the cache's `ttl`. The function
 * runs after every run of the original and on every `set` helper call; what it throws
 * fails that load or `set`, and nothing is cached.
 *
 * @example
 * ```ts
 * wrap(cache, findUser, { key: 'user:{0}', ttl: (user) => (user === null ? '30s' : '1h') })
 * ```
 */
export type TtlOption<A extends readonly unknown[], T> =
  | Duration
  | ((result: T, ...args: A) => Duration | undefined)

/**
 * Options of {@link wrap}, {@link wrapSync} and {@link cached}: how the key is built,
 * plus the options of `cache.getOrSet` applied to every call (`ttl`, `grace`,
 * `staleWhileRevalidate`, `cacheIf`, ...). `T` is the function's resolved result.
 *
 * @example
 * ```ts
 * const getUser = wrap(cache, fetchUser, { key: 'user:{0}', ttl: '10m', tags: ['users'] })
 * ```
 */
export interface WrapOptions<A extends readonly unknown[], T = unknown>
  extends Omit<GetOrSetOptions<T>, 'tags' | 'forceFresh' | 'ttl'> {
  /**
   * Fresh lifetime of each result: a duration, or a function of the result and the
   * arguments (`(user) => (user ? '1h' : '30s')`). Default: the cache's `ttl`.
   */
  readonly ttl?: TtlOption<A, T>
  /** The key: a template or a function. Default: `<name>:<arguments>` (docs/wrapping.md). */
  readonly key?: KeyOption<A>
  /**
   * Namespace of the default key. Default: the function's `name`; required for an
   * anonymous function without `key`. Give one explicitly when code is minified.
   */
  readonly name?: string
  /**
   * Arguments left out of the default key: indexes (`1`) or paths (`'signal'` is a
   * property of the first argument, `'1.signal'` of the second). Only with the default key.
   */
  readonly exclude?: readonly (number | string)[]
  /** Tags stored with each result: templates or a function of the arguments. */
  readonly tags?: TagsOption<A>
}
