import { describe, expect, test } from 'vitest'
import {
  clearByScan,
  keysByScan,
  type PrefixScanSource,
  prefixRange,
} from '../../src/store-kit/index.js'

async function list(keys: AsyncIterable<string>): Promise<string[]> {
  const listed: string[] = []
  for await (const key of keys) listed.push(key)
  return listed.sort()
}

function mapSource(entries: Map<string, number>, now = 1000): PrefixScanSource {
  return {
    scan: () => [...entries].map(([key, expiresAt]) => ({ key, expiresAt })),
    remove: (key) => entries.delete(key),
    now: () => now,
  }
}

describe('prefixRange', () => {
  test('bounds exactly the strings that start with the prefix, in code-unit order', () => {
    expect(prefixRange('user:')).toEqual({ start: 'user:', end: 'user;' })
    expect(prefixRange('')).toEqual({ start: '', end: undefined })
    expect(prefixRange('\uffff\uffff')).toEqual({ start: '\uffff\uffff', end: undefined })
    expect(prefixRange('a\uffff')).toEqual({ start: 'a\uffff', end: 'b' })
    const { start, end } = prefixRange('é')
    for (const key of ['é', 'é/x', 'é\uffff']) expect(key >= start && key < end!).toBe(true)
    for (const key of ['e\u0301', 'f', 'è', 'ê']) expect(key >= start && key < end!).toBe(false)
  })
})

describe('keysByScan and clearByScan', () => {
  test('keys lists the live keys starting with the prefix, not those containing it', async () => {
    const entries = new Map([
      ['a/1', Infinity],
      ['a/2', 1001],
      ['a/expired', 1000],
      ['x/a/1', Infinity],
      ['\u00e9', Infinity],
      ['e\u0301', Infinity],
    ])
    expect(await list(keysByScan(mapSource(entries), 'a/'))).toEqual(['a/1', 'a/2'])
    expect(await list(keysByScan(mapSource(entries), '\u00e9'))).toEqual(['\u00e9'])
    expect(await list(keysByScan(mapSource(entries), ''))).toHaveLength(5)
  })

  test('clear removes every key starting with the prefix, expired ones too, and nothing else', async () => {
    const entries = new Map([
      ['a/1', Infinity],
      ['a/expired', 0],
      ['a*', Infinity],
      ['b', Infinity],
    ])
    await clearByScan(mapSource(entries), 'a/')
    expect([...entries.keys()]).toEqual(['a*', 'b'])
    await clearByScan(mapSource(entries), '')
    expect(entries.size).toBe(0)
  })

  test('a non-string prefix rejects with InvalidOptionError naming prefix', async () => {
    const source = mapSource(new Map([['a', Infinity]]))
    const naming = expect.objectContaining({ code: 'E_INVALID_OPTION', option: 'prefix' })
    await expect(clearByScan(source, undefined as never)).rejects.toThrow(naming)
    await expect(list(keysByScan(source, 42 as never))).rejects.toThrow(naming)
    const strict = { ...source, rules: { wellFormed: true } }
    await expect(clearByScan(strict, '\ud800')).rejects.toThrow(naming)
  })
})
