import { InvalidKeyError, InvalidOptionError, ValueTooLargeError } from '../errors.js'

/** Extra rules of {@link assertKey} and {@link assertPrefix}. */
export interface KeyRules {
  /**
   * Also refuse strings with a lone UTF-16 surrogate. Set it when the store writes keys as
   * UTF-8: a lone surrogate has no UTF-8 form and would collide with U+FFFD. Default `false`.
   */
  readonly wellFormed?: boolean | undefined
}

/** In `u` mode a surrogate pair is one code point, so only lone surrogates match. */
const LONE_SURROGATE = /\p{Cs}/u

/**
 * Whether `text` has a UTF-8 form, i.e. holds no lone UTF-16 surrogate.
 *
 * @example
 * ```ts
 * isWellFormedUnicode('🙂') // true
 * isWellFormedUnicode('\uD800') // false
 * ```
 */
export function isWellFormedUnicode(text: string): boolean {
  return !LONE_SURROGATE.test(text)
}

/**
 * Rejects anything but a non-empty string key with `InvalidKeyError`.
 *
 * @example
 * ```ts
 * async get(key: string) {
 *   assertKey(key, { wellFormed: true })
 *   // ...
 * }
 * ```
 */
export function assertKey(key: unknown, rules: KeyRules = {}): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) {
    throw new InvalidKeyError(`key must be a non-empty string, got ${describe(key)}`)
  }
  if (rules.wellFormed && !isWellFormedUnicode(key)) {
    throw new InvalidKeyError(`key "${key}" is not well-formed Unicode (lone surrogate)`, key)
  }
}

/**
 * Rejects a `clear`/`keys` prefix that is not a string (`''` means every key) with
 * `InvalidOptionError` naming `prefix`.
 *
 * @example
 * ```ts
 * async clear(prefix: string) {
 *   assertPrefix(prefix)
 *   // ...
 * }
 * ```
 */
export function assertPrefix(prefix: unknown, rules: KeyRules = {}): asserts prefix is string {
  if (typeof prefix !== 'string') {
    throw new InvalidOptionError('prefix', `prefix must be a string, got ${describe(prefix)}`)
  }
  if (rules.wellFormed && !isWellFormedUnicode(prefix)) {
    throw new InvalidOptionError(
      'prefix',
      `prefix "${prefix}" is not well-formed Unicode (lone surrogate)`,
    )
  }
}

/**
 * Rejects a write whose value is not a `Uint8Array` or whose `expiresAt` is not a number
 * (epoch ms or `Infinity`) with `InvalidOptionError` naming `value` or `expiresAt`, and a
 * value over `maxValueBytes` with `ValueTooLargeError`. Check the key first.
 *
 * @example
 * ```ts
 * async set(key: string, value: Uint8Array, expiresAt: number) {
 *   assertKey(key)
 *   assertWrite(key, value, expiresAt, this.maxValueBytes)
 *   // ...
 * }
 * ```
 */
export function assertWrite(
  key: string,
  value: unknown,
  expiresAt: unknown,
  maxValueBytes?: number | undefined,
): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new InvalidOptionError(
      'value',
      `value for key "${key}" must be a Uint8Array, got ${describe(value)}`,
    )
  }
  if (typeof expiresAt !== 'number' || Number.isNaN(expiresAt)) {
    throw new InvalidOptionError(
      'expiresAt',
      `expiresAt for key "${key}" must be epoch milliseconds or Infinity, got ${describe(expiresAt)}`,
    )
  }
  if (maxValueBytes !== undefined && value.byteLength > maxValueBytes) {
    throw new ValueTooLargeError(key, value.byteLength, maxValueBytes)
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number') return String(value)
  return value === null ? 'null' : typeof value
}
