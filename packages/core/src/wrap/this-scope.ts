import { InvalidKeyError } from '../errors.js'
import { describeValue } from './key-template.js'

/**
 * The key prefix `includeThis` gives for `self`: its result and `:`, or `''` when the
 * option is absent.
 */
export function thisScope<This>(
  includeThis: ((self: This) => string) | undefined,
  self: This,
  method: string,
): string {
  if (includeThis === undefined) return ''
  const scope: unknown = includeThis(self)
  if (typeof scope !== 'string' || scope === '') {
    throw new InvalidKeyError(
      `includeThis of ${method} returned ${scope === '' ? 'an empty string' : describeValue(scope)}; it must return a non-empty string`,
    )
  }
  return `${scope}:`
}
