import { StackError, type StackErrorCode } from '../errors.js'

/**
 * Codes that describe the caller's request (or a closed store), not the health of the
 * backend: a tier that rejects a bad key answered correctly, so these never trip a breaker.
 */
const CALLER_MISTAKES: ReadonlySet<StackErrorCode> = new Set<StackErrorCode>([
  'E_INVALID_KEY',
  'E_INVALID_OPTION',
  'E_INVALID_VALUE',
  'E_SERIALIZATION',
  'E_DECODE',
  'E_VALUE_TOO_LARGE',
  'E_CLOSED',
  'E_UNSUPPORTED',
])

/**
 * Whether an error from a remote tier says the tier is unhealthy, and so counts toward
 * opening its circuit breaker. `StoreUnavailableError`, `TimeoutError` and any error that
 * is not a @stack error (a raw client error) count; caller mistakes (`InvalidKeyError`,
 * `ValueTooLargeError`, `SerializationError`, `ClosedError`, ...) do not.
 *
 * @example
 * ```ts
 * isTierFailure(new StoreUnavailableError('redis', 'ECONNREFUSED')) // true
 * isTierFailure(new Error('socket hang up'))                      // true
 * isTierFailure(new InvalidKeyError('key must not be empty', '')) // false
 * ```
 */
export function isTierFailure(error: unknown): boolean {
  return !(StackError.isInstance(error) && CALLER_MISTAKES.has(error.code))
}
