import { InvalidOptionError } from '../errors.js'
import { type CacheSource, cacheResolver } from './cache-source.js'
import { explicitName, planCalls } from './call-plan.js'
import { declaringName, methodName } from './method-context.js'
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
export interface CachedOptions<This, A extends unknown[]> extends WrapOptions<A> {
  /**
   * Makes the instance part of the key: its result and `:` are put before the key.
   * Without it, `this` is not part of the key and all instances share entries.
   */
  readonly includeThis?: (self: This) => string
}

/**
 * A standard (TC39, TypeScript 5+) decorator that caches an async method's results,
 * like {@link wrap}. `cache` is a `Cache` or a function of the instance returning one,
 * called on every call. The default key is `<Class>.<method>:<arguments>`, where
 * `Class` declares the method; `this` is not part of the key unless `includeThis` says
 * how. Key and tag functions are called with the instance as `this`.
 *
 * Do not enable `experimentalDecorators`: these are standard decorators.
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
export function cached<This = unknown, KA extends unknown[] = unknown[]>(
  cache: CacheSource<This>,
  options: CachedOptions<This, KA> = {},
) {
  const { includeThis, ...wrapOptions } = options ?? {}
  const name = explicitName(wrapOptions.name)
  const cacheOf = cacheResolver(cache)
  if (includeThis !== undefined && typeof includeThis !== 'function') {
    throw new InvalidOptionError('includeThis', 'includeThis must be a function of the instance')
  }
  return <Self extends This, A extends unknown[], T>(
    method: AsyncMethod<Self, A, T>,
    context: ClassMethodDecoratorContext<Self, AsyncMethod<Self, A, T>>,
  ): AsyncMethod<Self, A, T> => {
    const display = methodName(context, 'cached')
    if (context.private && name === undefined && wrapOptions.key === undefined) {
      throw new InvalidOptionError(
        'name',
        `@cached on the private method ${display} needs a name or a key`,
      )
    }
    let defaultName = name
    const plan = planCalls(wrapOptions as WrapOptions<never, T>, (self) => {
      defaultName ??= declaringName(self, replacement, context)
      return defaultName
    })
    const replacement = function (this: Self, ...args: A): Promise<T> {
      try {
        const key = thisScope(includeThis, this, display) + plan.key(this, args)
        return cacheOf(this).getOrSet(key, () => method.apply(this, args), plan.load(this, args))
      } catch (error) {
        return Promise.reject(error)
      }
    }
    Object.defineProperty(replacement, 'name', { value: display })
    return replacement
  }
}
