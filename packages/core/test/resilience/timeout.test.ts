import { afterEach, describe, expect, test, vi } from 'vitest'
import { TimeoutError } from '../../src/errors.js'
import { TierGuard } from '../../src/resilience/index.js'
import { connectionRefused, deferred, outcome, sleep } from './helpers.js'

const LIMIT = 20

afterEach(() => {
  vi.restoreAllMocks()
})

describe('TierGuard timeout', () => {
  test('passes the call’s value and error through unchanged', async () => {
    const guard = new TierGuard('redis', { timeout: LIMIT })
    await expect(guard.run('get', 'k', async () => 'v')).resolves.toBe('v')
    const failure = connectionRefused()
    await expect(guard.run('get', 'k', () => Promise.reject(failure))).rejects.toBe(failure)
    expect(guard.stats()).toEqual({ timeouts: 0, failures: 1, rejectedWhileOpen: 0, opened: 0 })
  })

  test('rejects with a TimeoutError naming the tier, operation, key and limit', async () => {
    const guard = new TierGuard('redis', { timeout: LIMIT })
    const slow = deferred()
    const error = await guard.run('get', 'user:1', () => slow.promise).catch((e: unknown) => e)
    slow.resolve('late')
    expect(TimeoutError.isInstance(error)).toBe(true)
    const timeout = error as TimeoutError
    expect(timeout.code).toBe('E_TIMEOUT')
    expect(timeout.key).toBe('user:1')
    expect(timeout.timeout).toBe(LIMIT)
    expect(timeout.message).toBe(`redis: get of key "user:1" timed out after ${LIMIT} ms`)
    expect(guard.stats()).toMatchObject({ timeouts: 1, failures: 1 })
  })

  test('names a batch operation without a key, and shortens very long keys', async () => {
    const guard = new TierGuard('pg', { timeout: LIMIT })
    const never = deferred()
    await expect(guard.run('getMany', undefined, () => never.promise)).rejects.toThrow(
      `pg: getMany timed out after ${LIMIT} ms`,
    )
    const key = 'k'.repeat(10_000)
    const error = (await guard.run('set', key, () => never.promise).catch((e: unknown) => e)) as
      | TimeoutError
      | undefined
    expect(error?.key).toBe(key)
    expect(error?.message.length).toBeLessThan(200)
    never.resolve('late')
  })

  test('swallows a late rejection: no unhandled rejection after the timeout', async () => {
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      const guard = new TierGuard('redis', { timeout: LIMIT })
      const slow = deferred()
      await expect(guard.run('get', 'k', () => slow.promise)).rejects.toThrow(TimeoutError)
      slow.reject(connectionRefused())
      await sleep(LIMIT)
      expect(unhandled).toEqual([])
      // The late outcome is ignored: the timeout was the one failure counted.
      expect(guard.stats()).toMatchObject({ timeouts: 1, failures: 1 })
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })

  test('a late success after a timeout does not reset the failure count', async () => {
    const guard = new TierGuard('redis', { timeout: LIMIT, breaker: { failureThreshold: 2 } })
    const slow = deferred()
    await expect(guard.run('get', 'a', () => slow.promise)).rejects.toThrow(TimeoutError)
    slow.resolve('late')
    await sleep(0)
    await expect(guard.run('get', 'b', () => Promise.reject(connectionRefused()))).rejects.toThrow()
    expect(guard.state).toBe('open')
  })

  test('times every call in flight with one unref’d timer, not one per call', async () => {
    const setTimer = vi.spyOn(globalThis, 'setTimeout')
    const guard = new TierGuard('redis', { timeout: 60_000 })
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => guard.run('get', `k${i}`, async () => 'v')),
    )
    await guard.run('get', 'k', () => Promise.reject(connectionRefused())).catch(() => undefined)
    const timers = setTimer.mock.calls
      .map((call, index) => ({ delay: call[1], timer: setTimer.mock.results[index]?.value }))
      .filter(({ delay }) => delay === 60_000)
      .map(({ timer }) => timer as NodeJS.Timeout)
    expect(timers).toHaveLength(1)
    expect(timers[0]?.hasRef()).toBe(false)
  })

  test('a call that outlives the timeout fails while calls around it succeed', async () => {
    const guard = new TierGuard('redis', { timeout: 40 })
    const hung = guard.run('get', 'hung', () => new Promise(() => undefined))
    const quick = await Promise.all(
      Array.from({ length: 20 }, (_, i) => guard.run('get', `k${i}`, async () => i)),
    )
    expect(quick).toHaveLength(20)
    await sleep(10)
    const later = guard.run('get', 'later', () => new Promise(() => undefined))
    await expect(hung).rejects.toThrow(TimeoutError)
    await expect(later).rejects.toThrow(TimeoutError)
    expect(guard.stats().timeouts).toBe(2)
  })

  test('arms no timer when timeout is Infinity', async () => {
    const setTimer = vi.spyOn(globalThis, 'setTimeout')
    const guard = new TierGuard('redis', { timeout: Number.POSITIVE_INFINITY })
    const slow = deferred()
    const pending = guard.run('get', 'k', () => slow.promise)
    expect(setTimer).not.toHaveBeenCalled()
    slow.resolve('v')
    await expect(pending).resolves.toBe('v')
    await expect(guard.run('get', 'k', () => Promise.reject(connectionRefused()))).rejects.toThrow()
    expect(guard.stats().failures).toBe(1)
  })

  test('turns a call that throws synchronously into a rejection', async () => {
    for (const timeout of [LIMIT, Number.POSITIVE_INFINITY]) {
      const guard = new TierGuard('redis', { timeout, breaker: { failureThreshold: 1 } })
      const failure = connectionRefused()
      const result = await outcome(
        guard.run('get', 'k', () => {
          throw failure
        }),
      )
      expect(result).toEqual({ ok: false, error: failure })
      expect(guard.state).toBe('open')
    }
  })
})

describe('TierGuard timeout under fake timers', () => {
  test('advancing fake time by the timeout expires a hung call, and not before', async () => {
    vi.useFakeTimers()
    try {
      const guard = new TierGuard('redis', { timeout: 1_000 })
      const first = guard
        .run('get', 'k', () => new Promise(() => undefined))
        .then(
          () => 'resolved',
          (error: unknown) => (TimeoutError.isInstance(error) ? 'timed out' : 'other'),
        )
      await vi.advanceTimersByTimeAsync(500)
      const later = guard.run('get', 'k2', () => new Promise(() => undefined)).catch(() => 'late')
      await vi.advanceTimersByTimeAsync(499)
      let settled = false
      void later.then(() => {
        settled = true
      })
      await vi.advanceTimersByTimeAsync(1)
      expect(await first).toBe('timed out')
      expect(settled).toBe(false) // started 500 ms later: still within its own time
      await vi.advanceTimersByTimeAsync(500)
      expect(await later).toBe('late')
    } finally {
      vi.useRealTimers()
    }
  })
})
