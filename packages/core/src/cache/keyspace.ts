/**
 * How caller keys, namespace paths and core's own keys become the full keys stores see.
 *
 * ```text
 * full key      = root  segment ":"  segment ":" ...  "#"  caller key
 * internal key  = root  "!"  kind ":" ...
 * root          = ""  or  segment(prefix) ":"
 * ```
 *
 * A segment (the cache's `prefix`, a namespace name) is escaped so that it never holds
 * `%`, `:`, `#` or `!` raw. Reading a full key left to right, the first `#` therefore
 * ends the namespace path and everything after it is the caller's key, verbatim: two
 * distinct `(path, key)` pairs never meet in one full key, and no caller key or
 * namespace name can produce a key that starts with `root + "!"`, where core keeps tag
 * timestamps, locks and schedule claims. A namespace's subtree (its keys and those of
 * its children) is exactly the full keys starting with its path, so clearing it is one
 * prefix clear.
 */

const KEY_MARK = '#'
const INTERNAL_MARK = '!'
const UNSAFE_IN_SEGMENT = /[%:#!]/g

/** Escapes a namespace name or prefix: `%`, `:`, `#` and `!` become `%XX`. */
export function encodeSegment(name: string): string {
  return name.replace(
    UNSAFE_IN_SEGMENT,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  )
}

/** The path of a cache's root: empty without a prefix. */
export function rootPath(prefix: string): string {
  return prefix === '' ? '' : `${encodeSegment(prefix)}:`
}

/** The path of namespace `name` under `path`. */
export function childPath(path: string, name: string): string {
  return `${path}${encodeSegment(name)}:`
}

/** What a full key of namespace `path` starts with: append the caller key. */
export function keyBase(path: string): string {
  return path + KEY_MARK
}

/**
 * The namespace path of `fullKey` relative to the root (e.g. `'tenantA:'`), the scope
 * its tags live in. `''` for keys of the root itself.
 */
export function scopeOf(fullKey: string, rootLength: number): string {
  const mark = fullKey.indexOf(KEY_MARK, rootLength)
  return mark < 0 ? '' : fullKey.slice(rootLength, mark)
}

/** The caller's key inside a full key (what errors and events name). */
export function callerKey(fullKey: string): string {
  return fullKey.slice(fullKey.indexOf(KEY_MARK) + 1)
}

/** Builds core's own keys under one root, out of reach of caller keys and namespaces. */
export class InternalKeys {
  readonly #base: string

  constructor(root: string) {
    this.#base = root + INTERNAL_MARK
  }

  /** Where the timestamp of a tag change is kept; `scope` is a namespace path. */
  tag(hard: boolean, scope: string, tag: string): string {
    return `${this.#base}tag:${hard ? 'i' : 'e'}:${scope}${KEY_MARK}${tag}`
  }

  /** The distributed lock of `fullKey`. */
  lock(fullKey: string): string {
    return `${this.#base}lock:${fullKey}`
  }

  /** The claim of schedule period `slot` of `fullKey`. */
  scheduleClaim(fullKey: string, slot: number): string {
    return `${this.#base}schedule:${slot}:${fullKey}`
  }
}
