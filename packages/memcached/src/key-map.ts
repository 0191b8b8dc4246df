import { createHash } from 'node:crypto'

/** memcached's key limit, in bytes. */
const MAX_KEY_BYTES = 250
/** Marks a hashed key; raw keys starting with it are hashed too, so the two never meet. */
const HASHED = '#'

/**
 * The memcached key of `key` under `namespace` (`<namespace>:<key>`). Keys that would
 * exceed 250 bytes, contain spaces or control characters, or start with `#` become
 * `<namespace>:#` + base64url(SHA-256(key)): deterministic, collision-free in practice,
 * and impossible for a raw key to produce.
 */
export function memcachedKey(namespace: string, key: string): string {
  const raw = `${namespace}:${key}`
  if (!key.startsWith(HASHED) && isSafe(key) && Buffer.byteLength(raw) <= MAX_KEY_BYTES) {
    return raw
  }
  return `${namespace}:${HASHED}${createHash('sha256').update(key, 'utf16le').digest('base64url')}`
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
