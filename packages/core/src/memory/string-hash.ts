/**
 * A 30-bit hash of a string: FNV-1a over its UTF-16 code units, then a final
 * avalanche so that keys differing in one character spread over the whole range.
 * Thirty bits keep the value a small integer (Smi) in V8, so storing it on a node
 * never changes the node's field representation.
 */
export function hashString(text: string): number {
  let hash = 0x811c9dc5
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index)
    hash = Math.imul(hash, 0x01000193)
  }
  hash ^= hash >>> 16
  hash = Math.imul(hash, 0x85ebca6b)
  hash ^= hash >>> 13
  hash = Math.imul(hash, 0xc2b2ae35)
  hash ^= hash >>> 16
  return hash >>> 2
}
