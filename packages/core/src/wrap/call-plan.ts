import {
  type FreshnessOptions,
  type GetOrSetOptions,
  type SetOptions,
  validateGetOrSetOptions,
} from '../cache/options.js'
import { type Duration, toMilliseconds } from '../duration.js'
import { InvalidOptionError } from '../errors.js'
import { type CallFunction, keyBuilder, tagsBuilder } from './key-builder.js'
import { describeValue } from './key-template.js'
import type { WrapOptions } from './options.js'

/** Who is wrapping: names the culprit in option errors. */
export type Wrapper = 'wrap' | 'wrapSync' | '@cached'

/** Duration options checked when wrapping, so a typo fails at once rather than at a call. */
const DURATION_OPTIONS = [
  'ttl',
  'staleWhileRevalidate',
  'grace',
  'graceBackoff',
  'softTimeout',
  'hardTimeout',
] as const satisfies readonly (keyof FreshnessOptions)[]

/** The load options that also apply to `set` (besides `tags` and `ttl`). */
const SET_OPTIONS = [
  'staleWhileRevalidate',
  'grace',
  'tiers',
] as const satisfies readonly (keyof SetOptions)[]

const OPTION_NAMES = [
  'key',
  'name',
  'exclude',
  'tags',
  ...DURATION_OPTIONS,
  'earlyRefresh',
  'tiers',
  'validate',
  'cacheIf',
] as const satisfies readonly (keyof WrapOptions<never>)[]

/**
 * What `wrapSync` cannot apply, and why: it runs on `getOrSetSync`, which serves fresh
 * hits only, cannot wait or time out, and starts no background work.
 */
const SYNC_REFUSED: Readonly<Record<string, string>> = {
  staleWhileRevalidate: 'a synchronous call never serves a stale value',
  grace: 'a synchronous call never serves a stale value as a fallback',
  graceBackoff: 'a synchronous call never serves a stale value as a fallback',
  softTimeout: 'a synchronous function cannot be waited for',
  hardTimeout: 'a synchronous function cannot be timed out',
  earlyRefresh: 'a synchronous call starts no background refresh',
  tiers: 'it always uses the local tier',
}

/** The fresh lifetime of a loaded or set value, from the `ttl` function; `undefined`: default. */
export type ResultTtl<T> = (value: T, self: unknown, args: readonly unknown[]) => number | undefined

/** What every call of a wrapped function or cached method needs, compiled once. */
export interface CallPlan<T> {
  readonly key: CallFunction<string>
  /** Options for `getOrSet`, or `undefined` when there are none. */
  readonly load: CallFunction<GetOrSetOptions<T> | undefined>
  /** `load` with `forceFresh: true`. */
  readonly refresh: CallFunction<GetOrSetOptions<T>>
  /** Options for `set`: those of `load` that apply to a write (`tags`, ...), without a `ttl` function's. */
  readonly set: CallFunction<SetOptions | undefined>
  /** The `ttl` option when it is a function of the result, checked; else `undefined`. */
  readonly resultTtl: ResultTtl<T> | undefined
  readonly cacheIf: ((value: T) => boolean) | undefined
}

/**
 * Validates `options` and compiles them. `name` gives the default key's namespace from
 * the receiver; it is called only by calls that use the default key.
 */
export function planCalls<T>(
  options: WrapOptions<never, T>,
  name: (self: unknown) => string,
  wrapper: Wrapper,
): CallPlan<T> {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', `${wrapper} options must be an object`)
  }
  rejectOptions(options, wrapper)
  const { key, name: _name, exclude, tags, ttl, ...rest } = options
  validateGetOrSetOptions(rest as GetOrSetOptions<never>)
  const resultTtl = typeof ttl === 'function' ? checkedTtl(ttl as never, wrapper) : undefined
  const fixedTtl = typeof ttl === 'function' ? undefined : ttl
  for (const option of DURATION_OPTIONS) {
    const value = option === 'ttl' ? fixedTtl : rest[option]
    if (value !== undefined) toMilliseconds(value, option)
  }
  const tagsOf = tagsBuilder(tags)
  const setBase: Record<string, unknown> = fixedTtl === undefined ? {} : { ttl: fixedTtl }
  for (const option of SET_OPTIONS) if (rest[option] !== undefined) setBase[option] = rest[option]
  const load = withTags<GetOrSetOptions<T>>(
    fixedTtl === undefined ? rest : { ...rest, ttl: fixedTtl },
    tagsOf,
  )
  return {
    key: keyBuilder(key, exclude, name),
    load,
    refresh: (self, args) => ({ ...load(self, args), forceFresh: true }),
    set: withTags<SetOptions>(setBase, tagsOf),
    resultTtl,
    cacheIf: rest.cacheIf,
  }
}

function rejectOptions(options: object, wrapper: Wrapper): void {
  const known: readonly string[] = OPTION_NAMES
  for (const option of Object.keys(options)) {
    if (!known.includes(option)) {
      throw new InvalidOptionError(
        option,
        `unknown option "${option}" for ${wrapper}; known options: ${known.join(', ')}`,
      )
    }
    const reason = wrapper === 'wrapSync' ? SYNC_REFUSED[option] : undefined
    if (reason !== undefined && (options as Record<string, unknown>)[option] !== undefined) {
      throw new InvalidOptionError(
        option,
        `wrapSync cannot apply ${option}: ${reason}. Use wrap() for it`,
      )
    }
  }
}

/** The `ttl` function, with its result checked as a duration naming the option. */
function checkedTtl<T>(
  ttl: (result: T, ...args: unknown[]) => Duration | undefined,
  wrapper: Wrapper,
): ResultTtl<T> {
  return (value, self, args) => {
    const duration: unknown = ttl.call(self, value, ...args)
    if (duration === undefined) return undefined
    if (typeof duration !== 'number' && typeof duration !== 'string') {
      throw new InvalidOptionError(
        'ttl',
        `the ttl function of ${wrapper} returned ${describeValue(duration)}; it must return a duration or undefined`,
      )
    }
    return toMilliseconds(duration, 'ttl')
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
