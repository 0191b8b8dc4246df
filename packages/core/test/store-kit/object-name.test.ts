import { describe, expect, test } from 'vitest'
import { InvalidOptionError } from '../../src/errors.js'
import {
  assertObjectNamePrefix,
  encodeObjectName,
  MAX_OBJECT_NAME_BYTES,
  OBJECT_NAME_SEGMENT_LENGTH,
  ObjectNameCodec,
} from '../../src/store-kit/index.js'

const TRICKY_KEYS = [
  'a',
  'A',
  'a/b',
  'a%2Fb',
  '%',
  '%25',
  '.',
  '..',
  '../etc/passwd',
  './a',
  'a b',
  '~',
  '*?[]',
  'line\nbreak',
  'nul\0byte',
  'é',
  'e\u0301',
  '日本語',
  '🙂',
  'x'.repeat(199),
  'x'.repeat(200),
  'x'.repeat(201),
  '%'.repeat(400),
  'long:'.repeat(2_000),
  `${'long:'.repeat(2_000)}!`,
]

function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8')
}

describe('encodeObjectName', () => {
  test('keeps only A-Z a-z 0-9 - _ and percent-encodes every other UTF-8 byte', () => {
    expect(encodeObjectName('Az09-_')).toBe('Az09-_')
    expect(encodeObjectName('a/b.c')).toBe('a%2Fb%2Ec')
    expect(encodeObjectName('%')).toBe('%25')
    expect(encodeObjectName('é')).toBe('%C3%A9')
  })

  test('the documented example', () => {
    expect(encodeObjectName('user:1/é')).toBe('user%3A1%2F%C3%A9')
  })

  test('maps prefixes to prefixes', () => {
    for (const key of TRICKY_KEYS) {
      for (let end = 1; end <= Math.min(key.length, 50); end++) {
        const prefix = key.slice(0, end)
        if (/[\uD800-\uDBFF]$/.test(prefix)) continue // half of a surrogate pair
        expect(encodeObjectName(key).startsWith(encodeObjectName(prefix))).toBe(true)
      }
    }
  })
})

describe('ObjectNameCodec', () => {
  const codec = new ObjectNameCodec('cache/')

  test('the documented example', () => {
    expect(codec.objectName('user:1')).toEqual({ name: 'cache/user%3A1', hashed: false })
    expect(codec.parse('cache/user%3A1')).toEqual({ kind: 'plain', key: 'user:1' })
    expect(codec.listing('user:')).toEqual({ exact: 'cache/user%3A' })
  })

  test('distinct keys get distinct object names, all within 1,024 bytes and safe segments', () => {
    const names = TRICKY_KEYS.map((key) => codec.objectName(key).name)
    expect(new Set(names).size).toBe(TRICKY_KEYS.length)
    for (const name of names) {
      expect(name.startsWith('cache/')).toBe(true)
      expect(utf8Bytes(name)).toBeLessThanOrEqual(MAX_OBJECT_NAME_BYTES)
      for (const part of name.slice('cache/'.length).split('/')) {
        expect(part.length).toBeGreaterThan(0)
        expect(part.length).toBeLessThanOrEqual(OBJECT_NAME_SEGMENT_LENGTH)
        expect(part).toMatch(/^[A-Za-z0-9%_~-]+$/)
      }
    }
  })

  test('plain names parse back to their key; hashed names are recognised as such', () => {
    for (const key of TRICKY_KEYS) {
      const { name, hashed } = codec.objectName(key)
      expect(codec.parse(name)).toEqual(hashed ? { kind: 'hashed' } : { kind: 'plain', key })
    }
    // 1,024 bytes - 'cache/' = 1,018 = 1,013 encoded chars + 5 segment separators.
    expect(codec.objectName('x'.repeat(1_013)).hashed).toBe(false)
    expect(codec.objectName('x'.repeat(1_014)).hashed).toBe(true)
    expect(codec.objectName('/'.repeat(400)).hashed).toBe(true)
  })

  test('names it never writes are foreign, so clear and keys leave them alone', () => {
    for (const foreign of [
      'cache/',
      'cache/photos/cat.jpg',
      'cache/readme.txt',
      'cache/%41', // decodes to 'A', but 'A' is written as 'A'
      'cache/%C3', // not UTF-8
      `cache/${'x'.repeat(10)}/y`, // '/' where segmenting never puts one
      'other/a',
    ]) {
      expect(codec.parse(foreign)).toBeUndefined()
    }
  })

  test('listing(prefix) covers exactly the keys with that prefix, plain and hashed', () => {
    const longPrefix = 'p'.repeat(1_500)
    const keys = [
      'user:1',
      'user:10',
      'user:2',
      'usr',
      `user:${'x'.repeat(3_000)}`,
      `${longPrefix}a`,
      `${longPrefix}b`,
      `${'p'.repeat(1_499)}q${'p'.repeat(100)}`,
    ]
    for (const prefix of ['', 'u', 'user:1', 'user:', longPrefix]) {
      const listing = codec.listing(prefix)
      for (const key of keys) {
        const { name, hashed } = codec.objectName(key)
        const listed =
          name.startsWith(listing.exact) ||
          (hashed &&
            listing.hashedCandidates !== undefined &&
            name.startsWith(listing.hashedCandidates))
        // Candidates are checked against the original key, so they may over-approximate.
        if (key.startsWith(prefix)) expect(listed).toBe(true)
        if (listing.hashedCandidates === undefined) expect(listed).toBe(key.startsWith(prefix))
      }
    }
    expect(codec.listing('user:').hashedCandidates).toBeUndefined()
    expect(codec.listing(longPrefix).hashedCandidates).toBeDefined()
  })

  test('rejects prefixes that are not a clean folder path', () => {
    for (const prefix of [
      'cache',
      '/cache/',
      'a//b/',
      './',
      'a/../',
      'tab\t/',
      'x'.repeat(600) + '/',
      'lone\uD800/',
    ]) {
      expect(() => assertObjectNamePrefix(prefix)).toThrow(InvalidOptionError)
      expect(() => new ObjectNameCodec(prefix)).toThrow(InvalidOptionError)
      try {
        new ObjectNameCodec(prefix)
      } catch (error) {
        expect((error as InvalidOptionError).option).toBe('prefix')
      }
    }
    expect(() => new ObjectNameCodec('')).not.toThrow()
    expect(() => new ObjectNameCodec('team-a/cache/')).not.toThrow()
  })
})
