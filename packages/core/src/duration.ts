import { InvalidOptionError } from './errors.js'

/**
 * A length of time: milliseconds as a number, or a string such as `'250ms'`,
 * `'30s'`, `'5m'`, `'1h'`, `'2d'` or `'1h30m'`. `Infinity` means "forever".
 */
export type Duration = number | string

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y

/**
 * Converts a {@link Duration} to milliseconds, or throws `InvalidOptionError` naming
 * `option`. Negative, `NaN` and malformed values are rejected.
 *
 * @example
 * ```ts
 * toMilliseconds('1h30m', 'ttl') // 5_400_000
 * toMilliseconds(250, 'ttl')     // 250
 * ```
 */
export function toMilliseconds(value: Duration, option: string): number {
  if (typeof value === 'number') {
    if (Number.isNaN(value) || value < 0) {
      throw new InvalidOptionError(option, `${option} must be a duration >= 0, got ${value}`)
    }
    return value
  }
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidOptionError(
      option,
      `${option} must be milliseconds or a string like '5m', got ${describe(value)}`,
    )
  }
  let total = 0
  PART.lastIndex = 0
  while (PART.lastIndex < value.length) {
    const match = PART.exec(value)
    if (match === null) {
      throw new InvalidOptionError(
        option,
        `${option} must be milliseconds or a string like '5m' or '1h30m', got '${value}'`,
      )
    }
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number)
  }
  return total
}

function describe(value: unknown): string {
  return typeof value === 'object' ? JSON.stringify(value) : `${typeof value} ${String(value)}`
}
