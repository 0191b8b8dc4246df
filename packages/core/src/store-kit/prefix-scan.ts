import { assertPrefix, type KeyRules } from './validate.js'

/** One stored entry as a backend scan finds it. */
export interface ScannedEntry {
  /** The caller's key, as given to `set`. */
  readonly key: string
  /** Absolute expiry in epoch ms (`Infinity` for never). */
  readonly expiresAt: number
}

/**
 * What {@link keysByScan} and {@link clearByScan} need from a backend: a way to find the
 * entries under a prefix and to remove one.
 */
export interface PrefixScanSource {
  /**
   * The entries whose key may start with `prefix`. A superset is fine (a whole table, a
   * hash bucket, a {@link prefixRange} of a sorted index): the kit keeps only keys that
   * start with `prefix`, compared code unit by code unit. Taken whole before any removal.
   */
  scan(prefix: string): Iterable<ScannedEntry> | AsyncIterable<ScannedEntry>
  /** Removes the entry under `key`. */
  remove(key: string): unknown
  /** The time expiry is judged against. Default `Date.now`. */
  readonly now?: (() => number) | undefined
  /** Key rules the prefix must meet too, e.g. `{ wellFormed: true }`. */
  readonly rules?: KeyRules | undefined
}

/**
 * The half-open range `[start, end)` of strings that start with `prefix`, in code-unit
 * order (JavaScript's `<`, SQL `COLLATE "C"`/`BINARY`): scan a sorted backend from `start`
 * while keys are below `end`. `end` is `undefined` when no string bounds the range (an
 * empty prefix, or one of only `'\uffff'`).
 *
 * @example
 * ```ts
 * prefixRange('user:') // { start: 'user:', end: 'user;' }
 * // SELECT key FROM cache WHERE key >= $start AND key < $end
 * ```
 */
export function prefixRange(prefix: string): { start: string; end: string | undefined } {
  let stem = prefix
  while (stem.endsWith('\uffff')) stem = stem.slice(0, -1)
  if (stem === '') return { start: prefix, end: undefined }
  const last = stem.charCodeAt(stem.length - 1)
  return { start: prefix, end: stem.slice(0, -1) + String.fromCharCode(last + 1) }
}

/**
 * A ready `keys(prefix)`: checks the prefix (`InvalidOptionError` naming `prefix`), then
 * streams the live keys the scan finds that start with it. Live means `now < expiresAt`.
 *
 * @example
 * ```ts
 * keys(prefix: string) {
 *   return keysByScan({ scan: () => this.#rows(), remove: (key) => this.#delete(key) }, prefix)
 * }
 * ```
 */
export async function* keysByScan(source: PrefixScanSource, prefix: string): AsyncIterable<string> {
  assertPrefix(prefix, source.rules)
  const now = (source.now ?? Date.now)()
  for (const entry of await collect(source, prefix)) {
    if (entry.expiresAt > now) yield entry.key
  }
}

/**
 * A ready `clear(prefix)`: checks the prefix (`InvalidOptionError` naming `prefix`), then
 * removes every entry the scan finds whose key starts with it, expired or not.
 *
 * @example
 * ```ts
 * clear(prefix: string) {
 *   return clearByScan({ scan: () => this.#rows(), remove: (key) => this.#delete(key) }, prefix)
 * }
 * ```
 */
export async function clearByScan(source: PrefixScanSource, prefix: string): Promise<void> {
  assertPrefix(prefix, source.rules)
  for (const entry of await collect(source, prefix)) await source.remove(entry.key)
}

async function collect(source: PrefixScanSource, prefix: string): Promise<ScannedEntry[]> {
  const found: ScannedEntry[] = []
  for await (const entry of source.scan(prefix)) {
    if (entry.key.startsWith(prefix)) found.push(entry)
  }
  return found
}
