import { describe, expect, test } from 'vitest'
import { DecodeError } from '../../src/errors.js'
import {
  contentSha256,
  formatObjectExpiry,
  hashedKeyLength,
  isExpired,
  OBJECT_METADATA,
  packObjectBody,
  parseObjectExpiry,
  readObjectKeyFrame,
  unpackObjectBody,
} from '../../src/store-kit/index.js'

const bytes = (text: string) => new TextEncoder().encode(text)
const plain = { compression: 'none', compressionThreshold: 1024 } as const
const gzip = { compression: 'gzip', compressionThreshold: 0 } as const

describe('packObjectBody / unpackObjectBody', () => {
  test('a plain name: the value as it is, with expiry and hash in the metadata', async () => {
    const value = bytes('v')
    const sha256 = contentSha256(value)
    const packed = await packObjectBody(
      { key: 'k', value, expiresAt: 1_700_000_000_000, hashedName: false, sha256 },
      plain,
    )
    expect(packed.body).toEqual(value)
    expect(packed.metadata).toEqual({ 'expires-at': '1700000000000', sha256 })
    expect(await unpackObjectBody('k', packed.body, packed.metadata)).toEqual(value)
  })

  test('a hashed name: the body leads with the key, and only that key reads the value', async () => {
    const key = `long:${'é'.repeat(600)}`
    const value = bytes('payload '.repeat(100))
    const packed = await packObjectBody({ key, value, expiresAt: Infinity, hashedName: true }, gzip)
    const keyLength = Buffer.byteLength(key, 'utf8')
    expect(packed.metadata).toEqual({ 'key-bytes': String(keyLength), encoding: 'gzip' })
    expect(hashedKeyLength(packed.metadata)).toBe(keyLength)
    expect(readObjectKeyFrame(packed.body, keyLength)).toBe(key)
    expect(await unpackObjectBody(key, packed.body, packed.metadata)).toEqual(value)
    expect(await unpackObjectBody(`${key}x`, packed.body, packed.metadata)).toBeUndefined()
  })

  test('returns plain Uint8Arrays, not Buffers', async () => {
    const read = await unpackObjectBody('k', Buffer.from('v'), {})
    expect(read?.constructor).toBe(Uint8Array)
  })

  test('an unknown encoding or a corrupt compressed body rejects with DecodeError', async () => {
    await expect(
      unpackObjectBody('k', bytes('x'), { [OBJECT_METADATA.encoding]: 'zstd' }),
    ).rejects.toSatisfy(DecodeError.isInstance)
    await expect(
      unpackObjectBody('k', bytes('not gzip'), { [OBJECT_METADATA.encoding]: 'gzip' }),
    ).rejects.toSatisfy(DecodeError.isInstance)
  })
})

describe('readObjectKeyFrame / hashedKeyLength', () => {
  test('malformed frames and lengths read as undefined', () => {
    expect(readObjectKeyFrame(bytes('abc'), 4)).toBeUndefined()
    expect(readObjectKeyFrame(bytes('abc'), 0)).toBeUndefined()
    expect(readObjectKeyFrame(new Uint8Array([0xc3]), 1)).toBeUndefined() // not UTF-8
    expect(readObjectKeyFrame(bytes('abc'), 2)).toBe('ab')
    for (const field of [undefined, '', '0', '-3', '1.5', 'x']) {
      expect(hashedKeyLength(field === undefined ? {} : { 'key-bytes': field })).toBeUndefined()
    }
  })
})

describe('object expiry fields', () => {
  test('format and parse round-trip; absent or unreadable means never', () => {
    expect(formatObjectExpiry(1_700_000_000_000)).toBe('1700000000000')
    expect(formatObjectExpiry(Infinity)).toBeUndefined()
    expect(parseObjectExpiry('1700000000000')).toBe(1_700_000_000_000)
    expect(parseObjectExpiry(undefined)).toBe(Infinity)
    expect(parseObjectExpiry('')).toBe(Infinity)
    expect(parseObjectExpiry('soon')).toBe(Infinity)
  })

  test('isExpired: dead from expiresAt on', () => {
    expect(isExpired(100, 99)).toBe(false)
    expect(isExpired(100, 100)).toBe(true)
    expect(isExpired(Infinity)).toBe(false)
    expect(isExpired(Date.now() - 1)).toBe(true)
  })
})

describe('unpackObjectBody bounds decompression', () => {
  test('a gzip bomb over maxValueBytes is a DecodeError, not an allocation', async () => {
    const value = new Uint8Array(2 * 1024 * 1024)
    const packed = await packObjectBody(
      { key: 'k', value, expiresAt: Infinity, hashedName: false },
      gzip,
    )
    const exact = await unpackObjectBody('k', packed.body, packed.metadata, value.byteLength)
    expect(exact?.byteLength).toBe(value.byteLength)
    const error = await unpackObjectBody('k', packed.body, packed.metadata, 1024).catch((e) => e)
    expect(DecodeError.isInstance(error)).toBe(true)
    expect((error as Error).message).toMatch(/decompresses to more than maxValueBytes \(1024\)/)
  })
})
