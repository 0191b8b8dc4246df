import type { Cache } from '../cache/cache.js'
import { InvalidKeyError, InvalidOptionError } from '../errors.js'
import { type CacheSource, cacheResolver } from './cache-source.js'
import type { MethodCacheDecorator } from './cached.js'
import { assertFactoryCall, decorateMethod } from './decorator-form.js'
import { type CallFunction, keyBuilder, tagsBuilder } from './key-builder.js'
import { compileTemplate, describeValue } from './key-template.js'
import type { KeyOption, TagsOption } from './options.js'
import { thisScope } from './this-scope.js'

/**
 * What {@link invalidates} removes after the method succeeds: one `key`, several `keys`,
 * and/or every entry carrying one of `tags`. Templates and functions work as in
 * {@link wrap}, over the decorated method's arguments; functions get the instance as
 * `this`. `includeThis` prefixes the keys (not the tags) as in {@link cached}.
 *
 * @example
 * ```ts
 * @invalidates(cache, { key: 'user:{0}', tags: ['users'] })
 * async rename(id: string, name: string) { ... }
 *
 * @invalidates(cache, { keys: (ids: string[]) => ids.map((id) => `user:${id}`) })
 * async removeMany(ids: string[]) { ... }
 * ```
 */
export interface InvalidatesOptions<This, A extends unknown[]> {
  readonly key?: KeyOption<A>
  readonly keys?: readonly string[] | ((...args: A) => readonly string[])
  readonly tags?: TagsOption<A>
  readonly includeThis?: (self: This) => string
}

const OPTION_NAMES = new Set(['key', 'keys', 'tags', 'includeThis'])

/**
 * A decorator (standard, or legacy under `experimentalDecorators: true`) for an async
 * method that changes data: it runs the method
 * and, once the method has resolved, deletes the keys and invalidates the tags the
 * options name, computed from the arguments before the call. If the method rejects,
 * nothing is invalidated; if invalidating fails, the call rejects with that error, so
 * the caller knows stale entries may remain. Tags are invalidated with
 * `cache.invalidateTags` (hard: never served again, not even as a grace fallback).
 *
 * @example
 * ```ts
 * import { cached, invalidates } from '@stack/core'
 *
 * class Users {
 *   @cached(cache, { key: 'user:{0}', tags: ['users'] })
 *   async find(id: string) { return db.users.find(id) }
 *
 *   @invalidates(cache, { key: 'user:{0}' })
 *   async rename(id: string, name: string) { await db.users.update(id, { name }) }
 *
 *   @invalidates(cache, { tags: ['users'] })
 *   async importAll(rows: Row[]) { await db.users.insertMany(rows) }
 * }
 * ```
 */
export function invalidates<This = unknown, KA extends unknown[] = unknown[]>(
  cache: CacheSource<This>,
  options: InvalidatesOptions<This, KA>,
): MethodCacheDecorator<This> {
  assertFactoryCall('invalidates', options)
  const keysOf = keysBuilder(options)
  const tagsOf = tagsBuilder(options.tags as TagsOption<never> | undefined)
  const includeThis = options.includeThis as ((self: unknown) => string) | undefined
  const cacheOf = cacheResolver(cache) as (self: unknown) => Cache
  return ((...args: unknown[]) =>
    decorateMethod('invalidates', args, (method, { display }) => {
      const replacement = async function (this: unknown, ...args: unknown[]): Promise<unknown> {
        const target = cacheOf(this)
        const scope = thisScope(includeThis, this, display)
        const keys = keysOf(this, args).map((key) => scope + key)
        const tags = typeof tagsOf === 'function' ? tagsOf(this, args) : (tagsOf ?? [])
        const result = await method.apply(this, args as never[])
        await Promise.all([
          keys.length === 1 ? target.delete(keys[0] as string) : null,
          keys.length > 1 ? target.deleteMany(keys) : null,
          tags.length > 0 ? target.invalidateTags(tags) : null,
        ])
        return result
      }
      Object.defineProperty(replacement, 'name', { value: display })
      return replacement
    })) as MethodCacheDecorator<This>
}

function keysBuilder(options: InvalidatesOptions<never, never>): CallFunction<readonly string[]> {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', '@invalidates needs options with key, keys or tags')
  }
  for (const name of Object.keys(options)) {
    if (!OPTION_NAMES.has(name)) {
      throw new InvalidOptionError(
        name,
        `unknown option "${name}" for @invalidates; known options: ${[...OPTION_NAMES].join(', ')}`,
      )
    }
  }
  const { key, keys, tags, includeThis } = options
  if (key === undefined && keys === undefined && tags === undefined) {
    throw new InvalidOptionError('key', '@invalidates needs a key, keys or tags option')
  }
  if (key !== undefined && keys !== undefined) {
    throw new InvalidOptionError('keys', '@invalidates takes key or keys, not both')
  }
  if (includeThis !== undefined && typeof includeThis !== 'function') {
    throw new InvalidOptionError('includeThis', 'includeThis must be a function of the instance')
  }
  if (key !== undefined) {
    const keyOf = keyBuilder(key, undefined, () => '')
    return (self, args) => [keyOf(self, args)]
  }
  if (keys === undefined) return () => []
  if (typeof keys === 'function') {
    const keysFunction = keys as (...args: readonly unknown[]) => unknown
    return (self, args) => checkKeys(keysFunction.apply(self, args as unknown[]))
  }
  if (!Array.isArray(keys)) {
    throw new InvalidOptionError('keys', 'keys must be an array of templates or a function')
  }
  const templates = keys.map((template) => compileTemplate(template, 'keys'))
  return (_, args) => templates.map((template) => template(args))
}

function checkKeys(keys: unknown): readonly string[] {
  if (!Array.isArray(keys)) {
    throw new InvalidKeyError(`a keys function returned ${describeValue(keys)}, not an array`)
  }
  for (const key of keys) {
    if (typeof key !== 'string' || key === '') {
      throw new InvalidKeyError(
        `a keys function returned ${key === '' ? 'an empty string' : describeValue(key)} in its array; keys are non-empty strings`,
      )
    }
  }
  return keys
}
