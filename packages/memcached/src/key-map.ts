import { hash } from 'node:crypto'

/** memcached's key limit, in bytes. */
const MAX_KEY_BYTES = 250
/** Marks a hashed key: `#` and 43 base64url characters (a SHA-256). */
const HASHED = '#'
/** What a hashed key looks like after the namespace; raw keys of this shape are hashed too. */
const HASHED_SHAPE = /^#[A-Za-z0-9_-]{43}$/

/**
 * The memcached key of `key` under `namespace` (`<namespace>:<key>`). Keys that would
 * exceed 250 bytes, contain spaces or control characters, or have the very shape of a
 * hashed key become `<namespace>:#` + base64url(SHA-256(key)): deterministic,
 * collision-free in practice, and impossible for a raw key to produce. Other keys that
 * start with `#` (core's own full keys do) stay readable and cost no hashing.
 */
export function memcachedKey(namespace: string, key: string): string {
  const raw = `${namespace}:${key}`
  if (isSafe(key) && !HASHED_SHAPE.test(key) && Buffer.byteLength(raw) <= MAX_KEY_BYTES) {
    return raw
  }
  // UTF-16 code units, so keys with lone surrogates (which UTF-8 merges) stay distinct.
  return `${namespace}:${HASHED}${hash('sha256', Buffer.from(key, 'utf16le'), 'base64url')}`
}

/** The keys of a namespace's clear log and its version; `#` after the namespace is never a data key. */
export function clearLogKeys(namespace: string): { log: string; version: string } {
  return { log: `${namespace}${HASHED}clears`, version: `${namespace}${HASHED}version` }
}

/** No space, no C0 control character, no DEL, and no lone surrogate (lost in UTF-8). */
function isSafe(key: string): boolean {
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i)
    if (code <= 0x20 || code === 0x7f) return false
    if (code >= 0xd800 && code <= 0xdfff) return false
  }
  return true
}
