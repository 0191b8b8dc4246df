import { type Duration, toMilliseconds } from '../duration.js'
import { InvalidOptionError } from '../errors.js'

/** The longest delay `setTimeout` and `setInterval` honour, in ms (about 24.8 days). */
export const MAX_TIMER_MS = 2 ** 31 - 1

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
