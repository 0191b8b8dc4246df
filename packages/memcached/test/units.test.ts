import { describe, expect, test } from 'vitest'
import { clearedAfter, decodeLog, encodeLog, newLog, withClear } from '../src/clear-log.js'
import { exptime } from '../src/expiry.js'
import { clearLogKeys, memcachedKey } from '../src/key-map.js'

describe('exptime', () => {
  const now = 1_700_000_000_250

  test('whole seconds rounded up, plus one; Infinity is 0 (never)', () => {
    expect(exptime(Number.POSITIVE_INFINITY, now)).toBe(0)
    expect(exptime(now + 1, now)).toBe(2)
    expect(exptime(now + 1000, now)).toBe(2)
    expect(exptime(now + 1001, now)).toBe(3)
  })

  test('beyond 30 days: absolute Unix seconds, rounded up, plus one', () => {
    const thirtyDays = 30 * 24 * 3600 * 1000
    expect(exptime(now + thirtyDays - 2000, now)).toBe(30 * 24 * 3600 - 1)
    const far = now + 40 * 24 * 3600 * 1000 + 1
    expect(exptime(far, now)).toBe(Math.ceil(far / 1000) + 1)
  })
})

describe('memcachedKey', () => {
  test('plain keys stay readable under the namespace', () => {
    expect(memcachedKey('ns', 'user:1/profile')).toBe('ns:user:1/profile')
  })

  test('a #-key stays readable unless it has the shape of a hashed key', () => {
    expect(memcachedKey('ns', '#user:1')).toBe('ns:#user:1')
    const lookalike = `#${'A'.repeat(43)}`
    expect(memcachedKey('ns', lookalike)).toMatch(/^ns:#[A-Za-z0-9_-]{43}$/)
    expect(memcachedKey('ns', lookalike)).not.toBe(`ns:${lookalike}`)
    // A raw key never equals the hashed form of another key.
    const hashed = memcachedKey('ns', 'a b').slice('ns:'.length)
    expect(memcachedKey('ns', hashed)).not.toBe(memcachedKey('ns', 'a b'))
  })

  test('long, spaced, control-character and hash-shaped keys are hashed, distinctly and within 250 bytes', () => {
    const keys = [
      'x'.repeat(248),
      'x'.repeat(247),
      'a b',
      'a\nb',
      'a\u0000b',
      `#${'x'.repeat(43)}`,
      'é'.repeat(200),
      '\uD800',
    ]
    const mapped = keys.map((key) => memcachedKey('ns', key))
    expect(mapped[1]).toBe(`ns:${'x'.repeat(247)}`)
    for (const [index, key] of mapped.entries()) {
      if (index === 1) continue
      expect(key).toMatch(/^ns:#[A-Za-z0-9_-]{43}$/)
    }
    expect(new Set(mapped).size).toBe(keys.length)
    expect(mapped.every((key) => Buffer.byteLength(key) <= 250)).toBe(true)
  })

  test('the clear log key is never a data key', () => {
    expect(clearLogKeys('ns')).toEqual({ log: 'ns#clears', version: 'ns#version' })
    expect(memcachedKey('ns', 'clears').startsWith('ns:')).toBe(true)
  })
})

describe('clear log', () => {
  test('records prefixes by length and hash; older stamps under a cleared prefix are cleared', () => {
    let log = withClear(newLog(), 'user:', 100)
    log = withClear(log, 'post:1', 100)
    expect(log.seq).toBe(2)
    expect(clearedAfter(log, 'user:1', 0)).toBe(true)
    expect(clearedAfter(log, 'user:1', 1)).toBe(false)
    expect(clearedAfter(log, 'post:12', 1)).toBe(true)
    expect(clearedAfter(log, 'post:2', 0)).toBe(false)
    expect(clearedAfter(log, 'use', 0)).toBe(false)
    expect(clearedAfter(log, 'User:1', 0)).toBe(false)
  })

  test('re-clearing a prefix replaces its entry; past maxEntries the log starts afresh', () => {
    let log = withClear(newLog(), 'a', 2)
    log = withClear(log, 'a', 2)
    expect(log.size).toBe(1)
    log = withClear(log, 'b', 2)
    const full = withClear(log, 'c', 2)
    expect(full.size).toBe(0)
    expect(full.id.equals(log.id)).toBe(false)
  })

  test('survives encoding; junk decodes to undefined', () => {
    const log = withClear(withClear(newLog(), 'p/', 10), '🔥', 10)
    const decoded = decodeLog(encodeLog(log))
    expect(decoded?.id.equals(log.id)).toBe(true)
    expect(decoded?.seq).toBe(2)
    expect(decoded && clearedAfter(decoded, '🔥x', 1)).toBe(true)
    expect(decodeLog(Buffer.from('not a log'))).toBeUndefined()
  })
})
