import {
  type FreshnessOptions,
  type GetOrSetOptions,
  type SetOptions,
  validateGetOrSetOptions,
} from '../cache/options.js'
import { toMilliseconds } from '../duration.js'
import { InvalidOptionError } from '../errors.js'
import { type CallFunction, keyBuilder, tagsBuilder } from './key-builder.js'
import type { WrapOptions } from './options.js'

/** Duration options checked when wrapping, so a typo fails at once rather than at a call. */
const DURATION_OPTIONS = [
  'ttl',
  'staleWhileRevalidate',
  'grace',
  'graceBackoff',
  'softTimeout',
  'hardTimeout',
] as const satisfies readonly (keyof FreshnessOptions)[]

/** The load options that also apply to `set` (besides `tags`). */
const SET_OPTIONS = [
  'ttl',
  'staleWhileRevalidate',
  'grace',
  'tiers',
] as const satisfies readonly (keyof SetOptions)[]

/** What every call of a wrapped function or cached method needs, compiled once. */
export interface CallPlan<T> {
  readonly key: CallFunction<string>
  /** Options for `getOrSet`, or `undefined` when there are none. */
  readonly load: CallFunction<GetOrSetOptions<T> | undefined>
  /** `load` with `forceFresh: true`. */
  readonly refresh: CallFunction<GetOrSetOptions<T>>
  /** Options for `set`: those of `load` that apply to a write (`ttl`, `tags`, ...). */
  readonly set: CallFunction<SetOptions | undefined>
}

/**
 * Validates `options` and compiles them. `name` gives the default key's namespace from
 * the receiver; it is called only by calls that use the default key.
 */
export function planCalls<T>(
  options: WrapOptions<never, T>,
  name: (self: unknown) => string,
): CallPlan<T> {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', 'options must be an object')
  }
  const { key, name: _name, exclude, tags, ...rest } = options
  validateGetOrSetOptions(rest as GetOrSetOptions<never>)
  for (const option of DURATION_OPTIONS) {
    const value = rest[option]
    if (value !== undefined) toMilliseconds(value, option)
  }
  const tagsOf = tagsBuilder(tags)
  const setBase: Record<string, unknown> = {}
  for (const option of SET_OPTIONS) if (rest[option] !== undefined) setBase[option] = rest[option]
  const load = withTags<GetOrSetOptions<T>>(rest, tagsOf)
  return {
    key: keyBuilder(key, exclude, name),
    load,
    refresh: (self, args) => ({ ...load(self, args), forceFresh: true }),
    set: withTags<SetOptions>(setBase, tagsOf),
  }
}

/**
 * The options of each call: `base` plus the call's tags. The same object is reused by
 * every call when the tags are constant, and none is passed when there are no options.
 */
function withTags<O extends { readonly tags?: readonly string[] }>(
  base: object,
  tags: readonly string[] | CallFunction<readonly string[]> | undefined,
): CallFunction<O | undefined> {
  if (typeof tags === 'function') return (self, args) => ({ ...base, tags: tags(self, args) }) as O
  const fixed = tags === undefined ? base : { ...base, tags }
  const options = Object.keys(fixed).length === 0 ? undefined : (fixed as O)
  return () => options
}

/** Validates the `name` option: a non-empty string, or `undefined`. */
export function explicitName(name: unknown): string | undefined {
  if (name === undefined) return undefined
  if (typeof name !== 'string' || name === '') {
    throw new InvalidOptionError('name', 'name must be a non-empty string')
  }
  return name
}
