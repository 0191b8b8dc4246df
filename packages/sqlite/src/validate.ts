import { InvalidKeyError, InvalidOptionError } from '@stack/core'

/** Rejects anything but a non-empty string key. */
export function assertKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) {
    throw new InvalidKeyError(`key must be a non-empty string, got ${describe(key)}`)
  }
}

/** Rejects a `clear`/`keys` prefix that is not a string (`''` means everything). */
export function assertPrefix(prefix: unknown): asserts prefix is string {
  if (typeof prefix !== 'string') {
    throw new InvalidOptionError('prefix', `prefix must be a string, got ${describe(prefix)}`)
  }
}

/** Rejects a value that is not a `Uint8Array`, or an expiry that is not a number. */
export function assertWrite(key: string, value: unknown, expiresAt: unknown): void {
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
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number') return String(value)
  return value === null ? 'null' : typeof value
}
