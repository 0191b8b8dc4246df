import type { Cache } from '../cache/cache.js'
import { InvalidOptionError } from '../errors.js'
import { type CacheSource, cacheResolver } from './cache-source.js'
import { registerHelpers } from './cached-method.js'
import { explicitName, planCalls } from './call-plan.js'
import { CallRunner, settle, type WrappedHelpers } from './call-runner.js'
import { assertFactoryCall, decorateMethod } from './decorator-form.js'
import type { WrapOptions } from './options.js'
import { thisScope } from './this-scope.js'

/**
 * An async method, as `@cached` and `@invalidates` accept it.
 *
 * @example
 * ```ts
 * const find: AsyncMethod<Users, [id: string], User> = async function (id) {
 *   return this.db.find(id)
 * }
 * ```
 */
export type AsyncMethod<This, A extends unknown[], T> = (this: This, ...args: A) => Promise<T>

/**
 * Options of {@link cached}: those of {@link wrap}, plus `includeThis`.
 *
 * @example
 * ```ts
 * class TenantUsers {
 *   constructor(readonly tenant: string) {}
 *   @cached(cache, { key: 'user:{0}', includeThis: (self: TenantUsers) => self.tenant })
 *   async find(id: string) { ... } // keys like 'acme:user:42'
 * }
 * ```
 */
export interface CachedOptions<This, A extends unknown[], T = unknown> extends WrapOptions<A, T> {
  /**
   * Makes the instance part of the key: its result and `:` are put before the key.
   * Without it, `this` is not part of the key and all instances share entries.
   */
  readonly includeThis?: (self: This) => string
}

/**
 * The decorator {@link cached} and {@link invalidates} return. It works in both forms
 * TypeScript compiles: standard decorators (the default) and legacy ones
 * (`experimentalDecorators: true`, as in NestJS). `T` constrains the method's result
 * when an option (`ttl`, `cacheIf`) is a function of it.
 *
 * @example
 * ```ts
 * const decorator: MethodCacheDecorator<Users, User> = cached(cache, { key: 'user:{0}' })
 * ```
 */
export interface MethodCacheDecorator<This, T = unknown> {
  /** Standard (TC39) form. */
  <Self extends This, A extends unknown[], R extends T>(
    method: AsyncMethod<Self, A, R>,
    context: ClassMethodDecoratorContext<Self, AsyncMethod<Self, A, R>>,
  ): AsyncMethod<Self, A, R>
  /** Legacy form (`experimentalDecorators: true`). */
  <Self extends This, A extends unknown[], R extends T>(
    target: Self,
    name: string | symbol,
    descriptor: TypedPropertyDescriptor<(...args: A) => Promise<R>>,
  ): TypedPropertyDescriptor<(...args: A) => Promise<R>>
}

/**
 * A decorator that caches an async method's results,
 * like {@link wrap}. `cache` is a `Cache` or a function of the instance returning one,
 * called on every call. The default key is `<Class>.<method>:<arguments>`, where
 * `Class` declares the method; `this` is not part of the key unless `includeThis` says
 * how. Key and tag functions are called with the instance as `this`.
 *
 * It works as a standard (TC39) decorator and, under `experimentalDecorators: true`
 * (NestJS), as a legacy one. {@link cachedMethod} gives a decorated method's helpers
 * (`invalidate`, `refresh`, `get`, `set`, `key`, `original`, `stats`).
 *
 * @example
 * ```ts
 * import { cached, createCache, memory } from '@stack/core'
 *
 * const cache = createCache({ tiers: [memory()] })
 *
 * class Users {
 *   @cached(cache, { key: 'user:{0}', ttl: '10m', tags: ['users'] })
 *   async find(id: string): Promise<User> {
 *     return db.users.find(id)
 *   }
 *
 *   @cached((self: Users) => self.cacheFor(self.region)) // key: Users.search:["ada",1]
 *   async search(query: string, page: number): Promise<User[]> { ... }
 * }
 * ```
 */
export function cached<This = unknown, KA extends unknown[] = unknown[], T = unknown>(
  cache: CacheSource<This>,
  options: CachedOptions<This, KA, T> = {},
): MethodCacheDecorator<This, T> {
  assertFactoryCall('cached', options)
  const { includeThis, ...wrapOptions } = options ?? {}
  const name = explicitName(wrapOptions.name)
  const cacheOf = cacheResolver(cache) as (self: unknown) => Cache
  if (includeThis !== undefined && typeof includeThis !== 'function') {
    throw new InvalidOptionError('includeThis', 'includeThis must be a function of the instance')
  }
  return ((...args: unknown[]) =>
    decorateMethod('cached', args, (method, info) => {
      if (info.private && name === undefined && wrapOptions.key === undefined) {
        throw new InvalidOptionError(
          'name',
          `@cached on the private method ${info.display} needs a name or a key`,
        )
      }
      let defaultName = name
      const plan = planCalls(
        wrapOptions as WrapOptions<never, T>,
        (self) => {
          defaultName ??= info.defaultName(self, replacement)
          return defaultName
        },
        '@cached',
      )
      const scope = includeThis as ((self: unknown) => string) | undefined
      const keyOf =
        scope === undefined
          ? plan.key
          : (self: unknown, args: readonly unknown[]) =>
              thisScope(scope, self, info.display) + plan.key(self, args)
      const runner = new CallRunner<never[], T>(plan, method, cacheOf, keyOf, info.display)
      const replacement = function (this: unknown, ...args: unknown[]): Promise<T> {
        return runner.call(this, args as never[])
      }
      Object.defineProperty(replacement, 'name', { value: info.display })
      registerHelpers(replacement, (self) => ({
        ...(runner.helpers(self) as unknown as WrappedHelpers<unknown[], T>),
        refresh: (...args: unknown[]) => runner.refresh(self, args as never[]),
        original: (...args: unknown[]) =>
          settle(() => method.apply(self, args as never[]) as Promise<T>),
      }))
      return replacement
    })) as MethodCacheDecorator<This, T>
}
