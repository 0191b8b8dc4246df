import * as assert from 'node:assert/strict'

const encoder = new TextEncoder()

/** UTF-8 bytes of `text`. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text)
}

/** UTF-8 length of `text` in bytes. */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8')
}

/** `length` bytes of a fixed pseudo-random pattern; a different `seed` gives different bytes. */
export function patternBytes(length: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(length)
  let state = (seed * 2_654_435_761) >>> 0 || 1
  for (let index = 0; index < length; index++) {
    // xorshift32: cheap, and never the same byte sequence for two seeds in practice.
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    bytes[index] = state & 0xff
  }
  return bytes
}

/** Asserts that `actual` is a `Uint8Array` holding exactly `expected`'s bytes. */
export function assertBytes(actual: unknown, expected: Uint8Array, what: string): void {
  assert.ok(actual instanceof Uint8Array, `${what}: expected a Uint8Array, got ${describe(actual)}`)
  assert.equal(actual.byteLength, expected.byteLength, `${what}: wrong length`)
  const mismatch = firstMismatch(actual, expected)
  assert.equal(mismatch, -1, `${what}: bytes differ from index ${mismatch}`)
}

/** Asserts a miss. */
export function assertMissing(actual: unknown, what: string): void {
  assert.equal(actual, undefined, `${what}: expected undefined, got ${describe(actual)}`)
}

function firstMismatch(actual: Uint8Array, expected: Uint8Array): number {
  for (let index = 0; index < expected.byteLength; index++) {
    if (actual[index] !== expected[index]) return index
  }
  return -1
}

function describe(value: unknown): string {
  if (value instanceof Uint8Array) return `${value.byteLength} bytes`
  return typeof value === 'string' ? `string "${value.slice(0, 40)}"` : String(value)
}
