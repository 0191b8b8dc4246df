import { describe, expect, test } from 'vitest'
import {
  assertOptionsObject,
  booleanOption,
  durationOption,
  integerOption,
  MAX_TIMER_MS,
  type OptionNames,
  oneOfOption,
  readOptions,
} from '../../src/store-kit/index.js'

const naming = (option: string) => expect.objectContaining({ code: 'E_INVALID_OPTION', option })

describe('option readers', () => {
  interface Example {
    readonly url: string
    readonly timeout?: number
  }
  const EXAMPLE: OptionNames<Example> = { url: true, timeout: true }

  test('readOptions returns options naming only known options', () => {
    const options = { url: 'x', timeout: 1 }
    expect(readOptions(options, EXAMPLE, { factory: 'myStore' })).toBe(options)
    expect(readOptions<Example>(undefined, EXAMPLE, { factory: 'f', optional: true })).toEqual({})
  })

  test('readOptions rejects an unknown option naming it, and lists the known ones', () => {
    for (const unknown of ['ttl', 'serializer', 'purgeIntervall', 'constructor', 'toString']) {
      const options = { url: 'x', [unknown]: 1 } as unknown as Example
      expect(() => readOptions(options, EXAMPLE, { factory: 'myStore' })).toThrow(naming(unknown))
      expect(() => readOptions(options, EXAMPLE, { factory: 'myStore' })).toThrow(
        /unknown option ".+" for myStore\(\); known options: url, timeout/,
      )
    }
  })

  test('readOptions rejects a missing, null, array or primitive argument naming options', () => {
    for (const bad of [undefined, null, 'x', 1, []]) {
      expect(() => readOptions(bad as unknown as Example, EXAMPLE, { factory: 'f' })).toThrow(
        naming('options'),
      )
    }
    expect(() =>
      readOptions(null as unknown as Example, EXAMPLE, { factory: 'f', optional: true }),
    ).toThrow(naming('options'))
  })

  test('assertOptionsObject rejects non-objects naming options', () => {
    expect(() => assertOptionsObject({}, 'hint')).not.toThrow()
    for (const bad of [undefined, null, 'x']) {
      expect(() => assertOptionsObject(bad, 'myStore() needs options')).toThrow(naming('options'))
    }
  })

  test('booleanOption: fallback when undefined, else a boolean', () => {
    expect(booleanOption(undefined, 'fsync', true)).toBe(true)
    expect(booleanOption(false, 'fsync', true)).toBe(false)
    expect(() => booleanOption('yes', 'fsync', false)).toThrow(naming('fsync'))
  })

  test('integerOption: fallback (even undefined) when undefined, else a safe integer >= min', () => {
    expect(integerOption(undefined, 'n', { fallback: 16, min: 1 })).toBe(16)
    expect(integerOption(undefined, 'n', { fallback: undefined, min: 1 })).toBeUndefined()
    expect(integerOption(0, 'n', { fallback: 16, min: 0 })).toBe(0)
    for (const bad of [0, -1, 1.5, Number.NaN, Infinity, 2 ** 60, '3']) {
      expect(() => integerOption(bad, 'n', { fallback: 16, min: 1 })).toThrow(naming('n'))
    }
  })

  test('durationOption: ms between min and the longest timer delay; undefined stays undefined', () => {
    expect(durationOption('10s', 'timeout')).toBe(10_000)
    expect(durationOption(undefined, 'purgeInterval')).toBeUndefined()
    expect(durationOption(0, 'busyTimeout', 0)).toBe(0)
    expect(durationOption(MAX_TIMER_MS, 'timeout')).toBe(MAX_TIMER_MS)
    for (const bad of [0, 0.5, MAX_TIMER_MS + 1, 'soon', -5]) {
      expect(() => durationOption(bad, 'timeout')).toThrow(naming('timeout'))
    }
  })

  test('oneOfOption: fallback when undefined, else one of the allowed values', () => {
    const allowed = ['gzip', 'none'] as const
    expect(oneOfOption(undefined, 'compression', allowed, 'none')).toBe('none')
    expect(oneOfOption('gzip', 'compression', allowed, 'none')).toBe('gzip')
    expect(() => oneOfOption('zstd', 'compression', allowed, 'none')).toThrow(naming('compression'))
  })
})
