import { describe, expect, test } from 'vitest'
import { decodeText, encodeText } from '../src/key-codec.js'

describe('key codec', () => {
  const samples = [
    'plain',
    'nul\u0000byte',
    'escape\u0001char',
    '\u0001\u0000\u0001',
    'lone \uD800 high',
    'lone \uDC00 low',
    'pair 🔥 ok',
    '\uDBFF',
    'ends high \uD83D',
  ]

  test('round-trips every string, escaping only NUL, U+0001 and lone surrogates', () => {
    for (const sample of samples) {
      const encoded = encodeText(sample)
      expect(decodeText(encoded)).toBe(sample)
      expect(encoded).not.toMatch(/\0/)
      expect(encoded).not.toMatch(/\p{Cs}/u)
    }
    expect(encodeText('pair 🔥 ok')).toBe('pair 🔥 ok')
  })

  test('keeps prefixes: encode(p) starts encode(k) exactly when k starts with p', () => {
    const strings = ['', 'a', 'a\u0000', 'a\u0001', 'a\u00010', 'a0', 'a\u0000b', 'a\uD800', 'a1']
    for (const key of strings) {
      for (const prefix of strings) {
        expect(
          encodeText(key).startsWith(encodeText(prefix)),
          `${JSON.stringify([key, prefix])}`,
        ).toBe(key.startsWith(prefix))
      }
    }
  })
})
