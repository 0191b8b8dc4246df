import { describe, expect, test } from 'vitest'
import {
  ClosedError,
  InvalidKeyError,
  InvalidOptionError,
  StackError,
  StoreUnavailableError,
  TimeoutError,
  toMilliseconds,
  ValueTooLargeError,
} from '../src/index.js'

describe('errors', () => {
  test('carry a code, a cause and their class name', () => {
    const cause = new Error('ECONNREFUSED')
    const error = new StoreUnavailableError('redis', 'connection refused', cause, 'k')
    expect(error.code).toBe('E_STORE_UNAVAILABLE')
    expect(error.cause).toBe(cause)
    expect(error.key).toBe('k')
    expect(error.name).toBe('StoreUnavailableError')
    expect(error.message).toBe('redis: connection refused')
    expect(error).toBeInstanceOf(Error)
  })

  test('are recognised across copies of the module', () => {
    // A plain object branded like another copy's StackError must be recognised.
    const foreign = Object.assign(new Error('closed'), { code: 'E_CLOSED' })
    Object.defineProperty(foreign, Symbol.for('@stack/core.error'), { value: true })
    expect(StackError.isInstance(foreign)).toBe(true)
    expect(ClosedError.isInstance(foreign)).toBe(true)
    expect(TimeoutError.isInstance(foreign)).toBe(false)
    expect(StackError.isInstance(new Error('plain'))).toBe(false)
    expect(StackError.isInstance(null)).toBe(false)
  })

  test('subclass checks match their own code only', () => {
    expect(InvalidKeyError.isInstance(new InvalidKeyError('bad'))).toBe(true)
    expect(InvalidKeyError.isInstance(new ClosedError('cache'))).toBe(false)
    const tooLarge = new ValueTooLargeError('k', 10, 5)
    expect([tooLarge.size, tooLarge.limit]).toEqual([10, 5])
  })
})

describe('toMilliseconds', () => {
  test.each([
    [250, 250],
    ['250ms', 250],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['2d', 172_800_000],
    ['1.5s', 1_500],
    [0, 0],
    [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY],
  ])('%s is %d ms', (input, expected) => {
    expect(toMilliseconds(input, 'ttl')).toBe(expected)
  })

  test.each([-1, Number.NaN, '', '5', 'five minutes', '5x', '-5m', '5m ', {}])(
    'rejects %s naming the option',
    (input) => {
      expect(() => toMilliseconds(input as never, 'ttl')).toThrow(InvalidOptionError)
      expect(() => toMilliseconds(input as never, 'ttl')).toThrow(/ttl/)
    },
  )
})
