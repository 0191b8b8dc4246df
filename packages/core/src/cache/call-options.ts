import { InvalidOptionError } from '../errors.js'
import { validateTags } from '../tag-validation.js'
import type { GetOptions, GetOrSetOptions, SetOptions, TierSelection } from './options.js'

/** Per-call option checks: unknown names, tags, tier selections, callbacks. */

export const FRESHNESS_OPTION_NAMES = [
  'ttl',
  'staleWhileRevalidate',
  'grace',
  'graceBackoff',
  'softTimeout',
  'hardTimeout',
  'earlyRefresh',
] as const
const SET_OPTION_NAMES = new Set(['ttl', 'staleWhileRevalidate', 'grace', 'tags', 'tiers'])
const GET_OPTION_NAMES = new Set(['tiers', 'validate'])
const GET_OR_SET_OPTION_NAMES = new Set<string>([
  ...FRESHNESS_OPTION_NAMES,
  'tags',
  'tiers',
  'validate',
  'forceFresh',
  'cacheIf',
])

export function validateSetOptions(options: SetOptions, method: string): void {
  rejectUnknown(options, SET_OPTION_NAMES, method)
  validateTags(options.tags)
  validateTiers(options.tiers)
}

export function validateGetOptions(options: GetOptions, method: string): void {
  rejectUnknown(options, GET_OPTION_NAMES, method)
  validateTiers(options.tiers)
  validateFunction(options.validate, 'validate')
}

export function validateGetOrSetOptions(options: GetOrSetOptions<never>): void {
  rejectUnknown(options, GET_OR_SET_OPTION_NAMES, 'getOrSet')
  validateTags(options.tags)
  validateTiers(options.tiers)
  validateFunction(options.validate, 'validate')
  validateFunction(options.cacheIf, 'cacheIf')
}

function validateTiers(tiers: TierSelection | undefined): void {
  if (tiers !== undefined && tiers !== 'all' && tiers !== 'local' && tiers !== 'remote') {
    throw new InvalidOptionError(
      'tiers',
      `tiers must be 'all', 'local' or 'remote', got ${String(tiers)}`,
    )
  }
}

function validateFunction(value: unknown, name: string): void {
  if (value !== undefined && typeof value !== 'function') {
    throw new InvalidOptionError(name, `${name} must be a function`)
  }
}

export function rejectUnknown(options: object, known: ReadonlySet<string>, method: string): void {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', `${method} options must be an object`)
  }
  for (const name of Object.keys(options)) {
    if (!known.has(name)) {
      throw new InvalidOptionError(
        name,
        `unknown option "${name}" for ${method}; known options: ${[...known].join(', ')}`,
      )
    }
  }
}

export { validateTags }
