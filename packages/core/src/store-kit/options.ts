import { type Duration, toMilliseconds } from '../duration.js'
import { InvalidOptionError } from '../errors.js'

/** The longest delay `setTimeout` and `setInterval` honour, in ms (about 24.8 days). */
export const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * Every option name of `T`, each mapped to `true`: a list the compiler checks against the
 * options interface, so a new option cannot be forgotten (or a stale one kept).
 */
export type OptionNames<T> = { readonly [Name in keyof Required<T>]: true }

/**
 * The shared option reader of every factory: checks that `options` is an object (or
 * `undefined`, read as `{}`, when `optional`) and that it names only options in `known`,
 * and returns it. An unknown option (a typo such as `purgeIntervall`, or an option of
 * another factory such as `ttl`) throws `InvalidOptionError` naming it and listing the
 * known ones: a silently ignored option is a bug the caller never sees.
 *
 * @example
 * ```ts
 * interface MyStoreOptions { readonly url: string; readonly timeout?: Duration }
 * const MY_STORE_OPTIONS: OptionNames<MyStoreOptions> = { url: true, timeout: true }
 *
 * export function myStore(options: MyStoreOptions) {
 *   const { url, timeout } = readOptions(options, MY_STORE_OPTIONS, { factory: 'myStore' })
 *   // ...
 * }
 * ```
 */
export function readOptions<T extends object>(
  options: T | undefined,
  known: OptionNames<T>,
  { factory, optional = false, hint }: ReadOptionsSettings,
): T {
  if (options === undefined && optional) return {} as T
  assertOptionsObject(options, hint ?? `${factory}() needs an options object`)
  if (Array.isArray(options)) {
    throw new InvalidOptionError('options', `${factory}() options must be an object, got an array`)
  }
  for (const name of Object.keys(options)) {
    if (!Object.hasOwn(known, name)) {
      throw new InvalidOptionError(
        name,
        `unknown option "${name}" for ${factory}(); known options: ${Object.keys(known).join(', ')}`,
      )
    }
  }
  return options
}

/** Settings of {@link readOptions}. */
export interface ReadOptionsSettings {
  /** The factory's name, for messages, e.g. `'fileStore'`. */
  readonly factory: string
  /** Whether the whole options argument may be left out. Default `false`. */
  readonly optional?: boolean | undefined
  /** What to say when the argument is not an object. Default: `<factory>() needs an options object`. */
  readonly hint?: string | undefined
}

/**
 * Rejects a store factory's argument that is not an object with `InvalidOptionError`
 * naming `options`; `hint` says what the factory needs.
 *
 * @example
 * ```ts
 * assertOptionsObject(options, 'myStore() needs an options object with a url')
 * ```
 */
export function assertOptionsObject(options: unknown, hint: string): asserts options is object {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', hint)
  }
}

/**
 * A boolean option, `fallback` when `undefined`; anything else throws `InvalidOptionError`.
 *
 * @example
 * ```ts
 * const fsync = booleanOption(options.fsync, 'fsync', false)
 * ```
 */
export function booleanOption(value: unknown, option: string, fallback: boolean): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') {
    throw new InvalidOptionError(option, `${option} must be a boolean, got ${typeof value}`)
  }
  return value
}

/**
 * An integer option of at least `min`, `fallback` (which may be `undefined`, for "no limit")
 * when `undefined`; anything else throws `InvalidOptionError`.
 *
 * @example
 * ```ts
 * const concurrency = integerOption(options.concurrency, 'concurrency', { fallback: 16, min: 1 })
 * const maxEntries = integerOption(options.maxEntries, 'maxEntries', { fallback: Infinity, min: 1 })
 * ```
 */
export function integerOption<Fallback extends number | undefined>(
  value: unknown,
  option: string,
  { fallback, min }: { readonly fallback: Fallback; readonly min: number },
): number | Fallback {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new InvalidOptionError(
      option,
      `${option} must be an integer >= ${min}, got ${String(value)}`,
    )
  }
  return value
}

/**
 * A {@link Duration} option in ms, at least `min` (default 1) and at most
 * {@link MAX_TIMER_MS} so that a timer can wait for it; `undefined` stays `undefined`.
 * Anything else throws `InvalidOptionError`.
 *
 * @example
 * ```ts
 * const timeoutMs = durationOption(options.timeout ?? '10s', 'timeout')
 * const purgeIntervalMs = durationOption(options.purgeInterval, 'purgeInterval') // or undefined
 * ```
 */
export function durationOption(value: Duration, option: string, min?: number): number
export function durationOption(
  value: Duration | undefined,
  option: string,
  min?: number,
): number | undefined
export function durationOption(
  value: Duration | undefined,
  option: string,
  min = 1,
): number | undefined {
  if (value === undefined) return undefined
  const ms = toMilliseconds(value, option)
  if (ms < min || ms > MAX_TIMER_MS) {
    throw new InvalidOptionError(
      option,
      `${option} must be between ${min} ms and ${MAX_TIMER_MS} ms (about 24 days), got ${String(value)}`,
    )
  }
  return ms
}

/**
 * An option that must be one of `allowed`, `fallback` when `undefined`; anything else
 * throws `InvalidOptionError` listing the allowed values.
 *
 * @example
 * ```ts
 * const compression = oneOfOption(options.compression, 'compression', COMPRESSION_OPTIONS, 'none')
 * ```
 */
export function oneOfOption<T extends string>(
  value: unknown,
  option: string,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback
  if (!allowed.includes(value as T)) {
    throw new InvalidOptionError(
      option,
      `${option} must be one of ${allowed.join(', ')}, got ${String(value)}`,
    )
  }
  return value as T
}
