import { describe, expect, test, vi } from 'vitest'
import {
  cached,
  createCache,
  InvalidKeyError,
  InvalidOptionError,
  invalidates,
  memory,
} from '../../src/index.js'

/**
 * Decorators are plain functions: these tests apply them by hand. The context is typed
 * `never` so it fits any method signature; only its runtime fields matter here.
 */
function methodContext(name: string, extra: { kind?: string; private?: boolean } = {}) {
  return {
    kind: extra.kind ?? 'method',
    name,
    static: false,
    private: extra.private ?? false,
    metadata: {},
    addInitializer() {},
    access: { has: () => true, get: () => undefined },
  } as never
}

describe('decorator options', () => {
  const cache = createCache({ tiers: [memory()] })

  test('@invalidates needs key, keys or tags, and not key with keys', () => {
    expect(() => invalidates(cache, {})).toThrow('@invalidates needs a key, keys or tags option')
    expect(() => invalidates(cache, { key: 'a', keys: ['b'] })).toThrow(
      '@invalidates takes key or keys, not both',
    )
    expect(() => invalidates(cache, { key: 'a', ttl: '1m' } as never)).toThrow(
      'unknown option "ttl" for @invalidates',
    )
    expect(() => invalidates(cache, { keys: 'a' as never })).toThrow(InvalidOptionError)
    expect(() => invalidates(cache, { key: 'a{' })).toThrow(InvalidOptionError)
    expect(() => invalidates(cache, { tags: ['{'] })).toThrow(InvalidOptionError)
    expect(() => invalidates(cache, undefined as never)).toThrow(InvalidOptionError)
  })

  test('@invalidates computes keys before the call: a bad key runs nothing', async () => {
    const method = vi.fn(async (_ids: string[]) => 1)
    const decorated = invalidates(cache, { keys: () => ['ok', ''] })(method, methodContext('m'))
    await expect(decorated.call({}, ['a'])).rejects.toThrow(InvalidKeyError)
    const notArray = invalidates(cache, { keys: () => 'k' as never })(method, methodContext('m'))
    await expect(notArray.call({}, ['a'])).rejects.toThrow('not an array')
    expect(method).not.toHaveBeenCalled()
  })

  test('decorating something other than a method is an InvalidOptionError', () => {
    const method = async () => 1
    expect(() =>
      cached(cache, { key: 'k' })(method, methodContext('m', { kind: 'field' })),
    ).toThrow('@cached decorates methods only, not a field')
    expect(() =>
      invalidates(cache, { key: 'k' })(method, methodContext('m', { kind: 'getter' })),
    ).toThrow(InvalidOptionError)
  })

  test('legacy form: only methods, with an error that names the setting', () => {
    const prototype = {}
    expect(() => cached(cache, { key: 'k' })(prototype, 'field', undefined as never)).toThrow(
      'not the property field (legacy decorator call: experimentalDecorators is true)',
    )
    const accessor = { get: () => 1, configurable: true }
    expect(() => invalidates(cache, { key: 'k' })(prototype, 'value', accessor as never)).toThrow(
      InvalidOptionError,
    )
  })

  test('a decorator applied in an unknown way, or without its call, says how to fix it', () => {
    const decorate = cached(cache, { key: 'k' }) as unknown as (...args: unknown[]) => unknown
    expect(() => decorate(async () => 1)).toThrow(
      'expected a standard decorator call (method, context) or, with experimentalDecorators: true',
    )
    // `@cached` without `(cache)`: the factory receives the method and its context.
    expect(() => cached((async () => 1) as never, methodContext('m') as never)).toThrow(
      '@cached must be called with a cache: write @cached(cache, options), not @cached',
    )
    expect(() => invalidates({} as never, 'm' as never)).toThrow('@invalidates must be called')
  })

  test('@cached names itself in option errors', () => {
    expect(() => cached(cache, { tll: 1 } as never)(async () => 1, methodContext('m'))).toThrow(
      'unknown option "tll" for @cached;',
    )
  })

  test('includeThis must be a function returning a non-empty string', async () => {
    expect(() => cached(cache, { includeThis: 'tenant' as never })).toThrow(InvalidOptionError)
    const method = async (id: string) => id
    const decorated = cached(cache, { key: 'k:{0}', includeThis: () => '' })(
      method,
      methodContext('find'),
    )
    await expect(decorated.call({}, 'a')).rejects.toThrow(
      'includeThis of find returned an empty string',
    )
  })

  test('@cached checks its options when the class is defined', () => {
    expect(() => cached(cache, { ttl: 'soon' })).not.toThrow()
    expect(() => cached(cache, { ttl: 'soon' })(async () => 1, methodContext('m'))).toThrow(
      InvalidOptionError,
    )
    expect(() => cached(cache, { name: 42 as never })).toThrow('name must be a non-empty string')
    expect(() => cached('cache' as never)).toThrow(InvalidOptionError)
  })
})
