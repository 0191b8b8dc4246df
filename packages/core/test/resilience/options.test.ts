import { describe, expect, test } from 'vitest'
import {
  ClosedError,
  DecodeError,
  InvalidKeyError,
  InvalidOptionError,
  InvalidValueError,
  SerializationError,
  StackError,
  StoreUnavailableError,
  TimeoutError,
  UnsupportedError,
  ValueTooLargeError,
} from '../../src/errors.js'
import {
  isTierFailure,
  TIER_GUARD_DEFAULTS,
  TierGuard,
  type TierGuardOptions,
} from '../../src/resilience/index.js'

describe('TierGuard options', () => {
  test('defaults: 1 s timeout, breaker opening after 5 failures for 5 s', () => {
    expect(TIER_GUARD_DEFAULTS).toEqual({ timeout: 1_000, failureThreshold: 5, cooldown: 5_000 })
    expect(new TierGuard('redis').state).toBe('closed')
  })

  test.each<[string, TierGuardOptions]>([
    ['timeout', { timeout: 0 }],
    ['timeout', { timeout: -1 }],
    ['timeout', { timeout: Number.NaN }],
    ['timeout', { timeout: 2 ** 31 }],
    ['timeout', { timeout: '1s' as unknown as number }],
    ['breaker.failureThreshold', { breaker: { failureThreshold: 0 } }],
    ['breaker.failureThreshold', { breaker: { failureThreshold: 1.5 } }],
    ['breaker.failureThreshold', { breaker: { failureThreshold: Number.POSITIVE_INFINITY } }],
    ['breaker.cooldown', { breaker: { cooldown: -1 } }],
    ['breaker.cooldown', { breaker: { cooldown: Number.POSITIVE_INFINITY } }],
    ['clock', { clock: 0 as unknown as () => number }],
  ])('rejects a bad %s with an InvalidOptionError naming it and the tier', (option, options) => {
    let error: unknown
    try {
      new TierGuard('redis', options)
    } catch (thrown) {
      error = thrown
    }
    expect(InvalidOptionError.isInstance(error)).toBe(true)
    expect((error as InvalidOptionError).option).toBe(option)
    expect((error as InvalidOptionError).message).toContain(`tier "redis": ${option}`)
  })

  test('accepts Infinity (no timeout) and a zero cooldown', () => {
    expect(
      () => new TierGuard('redis', { timeout: Number.POSITIVE_INFINITY, breaker: { cooldown: 0 } }),
    ).not.toThrow()
  })
})

describe('isTierFailure', () => {
  test.each<[string, unknown, boolean]>([
    ['StoreUnavailableError', new StoreUnavailableError('redis', 'down'), true],
    ['TimeoutError', new TimeoutError('slow', 10), true],
    ['a client error', new Error('socket hang up'), true],
    ['a non-Error value', 'ECONNRESET', true],
    ['InvalidKeyError', new InvalidKeyError('bad', 'k'), false],
    ['InvalidOptionError', new InvalidOptionError('ttl', 'bad'), false],
    ['InvalidValueError', new InvalidValueError('undefined', 'k'), false],
    ['SerializationError', new SerializationError('bad', 'k'), false],
    ['DecodeError', new DecodeError('corrupt', 'k'), false],
    ['ValueTooLargeError', new ValueTooLargeError('k', 2, 1), false],
    ['ClosedError', new ClosedError('store'), false],
    ['UnsupportedError', new UnsupportedError('no keys()'), false],
  ])('%s counts: %s', (_, error, counts) => {
    expect(isTierFailure(error)).toBe(counts)
  })

  test('recognises caller mistakes from another copy of @stack/core', () => {
    const foreign = Object.assign(new Error('bad key'), { code: 'E_INVALID_KEY' })
    Object.defineProperty(foreign, Symbol.for('@stack/core.error'), { value: true })
    expect(StackError.isInstance(foreign)).toBe(true)
    expect(isTierFailure(foreign)).toBe(false)
  })
})
