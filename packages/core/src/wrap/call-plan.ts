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
  const keyOf = keyBuilder(key, exclude, name)
  const tagsOf = tagsBuilder(tags)
  const base: GetOrSetOptions<T> | undefined = Object.keys(rest).length === 0 ? undefined : rest
  const load: CallFunction<GetOrSetOptions<T> | undefined> =
    tagsOf === undefined ? () => base : (self, args) => ({ ...rest, tags: tagsOf(self, args) })
  const setBase: Record<string, unknown> = {}
  for (const option of SET_OPTIONS) if (rest[option] !== undefined) setBase[option] = rest[option]
  const setOptions = Object.keys(setBase).length === 0 ? undefined : (setBase as SetOptions)
  const set: CallFunction<SetOptions | undefined> =
    tagsOf === undefined
      ? () => setOptions
      : (self, args) => ({ ...setOptions, tags: tagsOf(self, args) })
  return {
    key: keyOf,
    load,
    refresh: (self, args) => ({ ...load(self, args), forceFresh: true }),
    set,
  }
}

/** Validates the `name` option: a non-empty string, or `undefined`. */
export function explicitName(name: unknown): string | undefined {
  if (name === undefined) return undefined
  if (typeof name !== 'string' || name === '') {
    throw new InvalidOptionError('name', 'name must be a non-empty string')
  }
  return name
}
