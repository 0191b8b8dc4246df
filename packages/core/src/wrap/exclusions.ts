import { InvalidOptionError } from '../errors.js'
import { parseArgumentPath } from './argument-path.js'

/**
 * The `exclude` option compiled to a tree: each level maps an argument index or a
 * property name either to `true` (leave it out of the key) or to the subtree below it.
 */
export type ExclusionTree = ReadonlyMap<string, ExclusionTree | true>

/**
 * Compiles `exclude`: numbers are argument indexes, strings are argument paths
 * (`'signal'` is a property of the first argument, `'1.signal'` of the second).
 */
export function compileExclusions(exclude: readonly (number | string)[]): ExclusionTree {
  if (!Array.isArray(exclude)) {
    throw new InvalidOptionError(
      'exclude',
      'exclude must be an array of argument indexes or paths, e.g. [1] or ["signal"]',
    )
  }
  type Level = Map<string, Level | true>
  const root: Level = new Map()
  for (const item of exclude) {
    const segments = exclusionSegments(item)
    const last = segments.pop() as string
    let level: Level | undefined = root
    for (const segment of segments) {
      const existing: Level | true | undefined = level.get(segment)
      if (existing === true) {
        level = undefined
        break
      }
      const next: Level = existing ?? new Map()
      level.set(segment, next)
      level = next
    }
    level?.set(last, true)
  }
  return root
}

function exclusionSegments(item: number | string): string[] {
  if (typeof item === 'number') {
    if (Number.isInteger(item) && item >= 0) return [String(item)]
  } else if (typeof item === 'string') {
    const path = parseArgumentPath(item)
    if (path !== undefined) return [String(path.argument), ...path.properties]
  }
  throw new InvalidOptionError(
    'exclude',
    `exclude: ${JSON.stringify(item) ?? String(item)} is neither an argument index nor a path ` +
      'such as "signal" or "1.signal"',
  )
}
