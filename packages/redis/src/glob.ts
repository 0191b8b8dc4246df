const GLOB_METACHARACTERS = /[*?[\]\\]/g

/**
 * A `SCAN MATCH` pattern matching exactly the keys that start with `prefix`: every glob
 * metacharacter of the prefix is escaped, so a prefix such as `a*` matches only keys
 * starting with the two characters `a*`, never `ab`.
 */
export function prefixPattern(prefix: string): string {
  return prefix.replace(GLOB_METACHARACTERS, '\\$&') + '*'
}
