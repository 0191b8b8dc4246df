import { describe, expect, test } from 'vitest'
import { InvalidKeyError, InvalidOptionError, ValueTooLargeError } from '../../src/errors.js'
import {
  assertKey,
  assertPrefix,
  assertWrite,
  isWellFormedUnicode,
} from '../../src/store-kit/index.js'

describe('isWellFormedUnicode', () => {
  test('is false only for lone surrogates', () => {
    expect(isWellFormedUnicode('🙂')).toBe(true)
    expect(isWellFormedUnicode('')).toBe(true)
    expect(isWellFormedUnicode('\uD800')).toBe(false)
    expect(isWellFormedUnicode('a\uDC00b')).toBe(false)
  })
})

describe('assertKey', () => {
  test('rejects empty and non-string keys with InvalidKeyError', () => {
    for (const key of ['', 42, undefined, null]) {
      expect(() => assertKey(key)).toThrow(InvalidKeyError)
    }
    expect(() => assertKey('lone\uD800')).not.toThrow()
  })

  test('with wellFormed, also rejects lone-surrogate keys, naming the key', () => {
    for (const key of ['', 42, undefined, 'lone\uD800', '\uDC00']) {
      expect(() => assertKey(key, { wellFormed: true })).toThrow(InvalidKeyError)
    }
    expect(() => assertKey('\uDC00', { wellFormed: true })).toThrow(
      expect.objectContaining({ key: '\uDC00' }),
    )
    expect(() => assertKey('🙂', { wellFormed: true })).not.toThrow()
  })
})

describe('assertPrefix', () => {
  test("accepts any string ('' means everything), rejects the rest naming prefix", () => {
    expect(() => assertPrefix('')).not.toThrow()
    expect(() => assertPrefix('a/b')).not.toThrow()
    for (const prefix of [undefined, null, 7]) {
      expect(() => assertPrefix(prefix)).toThrow(
        expect.objectContaining({ code: 'E_INVALID_OPTION', option: 'prefix' }),
      )
    }
  })

  test('with wellFormed, also rejects lone surrogates', () => {
    expect(() => assertPrefix('x\uD800')).not.toThrow()
    expect(() => assertPrefix('x\uD800', { wellFormed: true })).toThrow(InvalidOptionError)
  })
})

describe('assertWrite', () => {
  const value = new Uint8Array(4)

  test('rejects a value that is not a Uint8Array, naming value', () => {
    for (const bad of ['text', [1, 2], null, new ArrayBuffer(4)]) {
      expect(() => assertWrite('k', bad, Infinity)).toThrow(
        expect.objectContaining({ code: 'E_INVALID_OPTION', option: 'value' }),
      )
    }
    expect(() => assertWrite('k', Buffer.from('x'), Infinity)).not.toThrow()
  })

  test('rejects an expiry that is not a number, naming expiresAt', () => {
    for (const bad of [Number.NaN, '1700000000000', undefined]) {
      expect(() => assertWrite('k', value, bad)).toThrow(
        expect.objectContaining({ code: 'E_INVALID_OPTION', option: 'expiresAt' }),
      )
    }
    expect(() => assertWrite('k', value, Date.now() - 1)).not.toThrow()
  })

  test('rejects a value over maxValueBytes with ValueTooLargeError', () => {
    expect(() => assertWrite('k', value, Infinity, 4)).not.toThrow()
    expect(() => assertWrite('k', value, Infinity, 3)).toThrow(ValueTooLargeError)
    expect(() => assertWrite('k', value, Infinity, 3)).toThrow(
      expect.objectContaining({ key: 'k', size: 4, limit: 3 }),
    )
  })
})
