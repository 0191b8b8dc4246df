import { describe, expect, test, vi } from 'vitest'
import {
  ClosedError,
  InvalidKeyError,
  SerializationError,
  StoreUnavailableError,
  TimeoutError,
  ValueTooLargeError,
} from '../../src/errors.js'
import { type BreakerState, TierGuard, type TierGuardOptions } from '../../src/resilience/index.js'
import { connectionRefused, deferred, fakeClock, outcome, sleep } from './helpers.js'

const COOLDOWN = 5_000

function guardWithClock(options: TierGuardOptions = {}) {
  const clock = fakeClock()
  const guard = new TierGuard('redis', {
    timeout: Number.POSITIVE_INFINITY,
    breaker: { failureThreshold: 3, cooldown: COOLDOWN },
    clock: clock.now,
    ...options,
  })
  return { guard, clock }
}

const fail =
  (error: unknown = connectionRefused()) =>
  () =>
    Promise.reject(error)
const succeed = () => Promise.resolve('ok')

async function failTimes(guard: TierGuard, times: number): Promise<void> {
  for (let i = 0; i < times; i++) await guard.run('get', `k${i}`, fail()).catch(() => undefined)
}

describe('TierGuard circuit breaker', () => {
  test('opens after failureThreshold consecutive failures; a success resets the count', async () => {
    const { guard } = guardWithClock()
    await failTimes(guard, 2)
    await guard.run('get', 'k', succeed)
    await failTimes(guard, 2)
    expect(guard.state).toBe('closed')
    await failTimes(guard, 1)
    expect(guard.state).toBe('open')
    expect(guard.stats()).toEqual({ timeouts: 0, failures: 5, rejectedWhileOpen: 0, opened: 1 })
  })

  test('timeouts count as failures', async () => {
    const guard = new TierGuard('redis', { timeout: 10, breaker: { failureThreshold: 2 } })
    const never = deferred()
    await expect(guard.run('get', 'a', () => never.promise)).rejects.toThrow(TimeoutError)
    await expect(guard.run('get', 'b', () => never.promise)).rejects.toThrow(TimeoutError)
    expect(guard.state).toBe('open')
    never.resolve('late')
  })

  test('fails fast while open, without calling, with the opening error as cause', async () => {
    const { guard, clock } = guardWithClock({
      breaker: { failureThreshold: 1, cooldown: COOLDOWN },
    })
    const opening = connectionRefused()
    await guard.run('get', 'a', fail(opening)).catch(() => undefined)
    const call = vi.fn(succeed)
    const stackTraceLimit = Error.stackTraceLimit
    clock.advance(COOLDOWN - 1)
    const result = await outcome(guard.run('get', 'user:1', call))
    expect(call).not.toHaveBeenCalled()
    expect(result.ok).toBe(false)
    const error = (result as { error: StoreUnavailableError }).error
    expect(StoreUnavailableError.isInstance(error)).toBe(true)
    expect(error.message).toBe('redis: circuit open')
    expect(error.store).toBe('redis')
    expect(error.key).toBe('user:1')
    expect(error.cause).toBe(opening)
    expect(Error.stackTraceLimit).toBe(stackTraceLimit)
    expect(guard.stats()).toMatchObject({ rejectedWhileOpen: 1, failures: 1, opened: 1 })
  })

  test('after the cooldown, lets exactly one probe through while others fail fast', async () => {
    const { guard, clock } = guardWithClock()
    await failTimes(guard, 3)
    clock.advance(COOLDOWN)
    const probe = deferred()
    const call = vi.fn(() => probe.promise)
    const results = Array.from({ length: 5 }, (_, i) => outcome(guard.run('get', `k${i}`, call)))
    expect(call).toHaveBeenCalledTimes(1)
    expect(guard.state).toBe('half-open')
    probe.resolve('fresh')
    const [first, ...others] = await Promise.all(results)
    expect(first).toEqual({ ok: true, value: 'fresh' })
    for (const other of others) {
      expect(StoreUnavailableError.isInstance(other?.ok === false && other.error)).toBe(true)
    }
    expect(guard.stats().rejectedWhileOpen).toBe(4)
  })

  test('a successful probe closes the circuit', async () => {
    const { guard, clock } = guardWithClock()
    await failTimes(guard, 3)
    clock.advance(COOLDOWN)
    await expect(guard.run('get', 'k', succeed)).resolves.toBe('ok')
    expect(guard.state).toBe('closed')
    const call = vi.fn(succeed)
    await Promise.all([guard.run('get', 'a', call), guard.run('get', 'b', call)])
    expect(call).toHaveBeenCalledTimes(2)
    // The count restarts from zero: it takes a full threshold to open again.
    await failTimes(guard, 2)
    expect(guard.state).toBe('closed')
  })

  test('a failed probe re-opens the circuit for another full cooldown', async () => {
    const { guard, clock } = guardWithClock()
    await failTimes(guard, 3)
    clock.advance(COOLDOWN + 1_000)
    await expect(guard.run('get', 'k', fail())).rejects.toThrow('ECONNREFUSED')
    expect(guard.state).toBe('open')
    clock.advance(COOLDOWN - 1)
    const call = vi.fn(succeed)
    await expect(guard.run('get', 'k', call)).rejects.toThrow('circuit open')
    expect(call).not.toHaveBeenCalled()
    clock.advance(1)
    await expect(guard.run('get', 'k', call)).resolves.toBe('ok')
    expect(guard.stats()).toMatchObject({ opened: 2, failures: 4, rejectedWhileOpen: 1 })
  })

  test('a probe that times out re-opens the circuit', async () => {
    const clock = fakeClock()
    const guard = new TierGuard('redis', {
      timeout: 10,
      breaker: { failureThreshold: 1, cooldown: COOLDOWN },
      clock: clock.now,
    })
    await guard.run('get', 'a', fail()).catch(() => undefined)
    clock.advance(COOLDOWN)
    const never = deferred()
    await expect(guard.run('get', 'k', () => never.promise)).rejects.toThrow(TimeoutError)
    expect(guard.state).toBe('open')
    never.resolve('late')
    await sleep(0)
    expect(guard.state).toBe('open')
  })

  test('late failures of calls made before the circuit opened neither extend nor re-open it', async () => {
    const { guard, clock } = guardWithClock({
      breaker: { failureThreshold: 1, cooldown: COOLDOWN },
    })
    const stragglers = [deferred(), deferred()]
    const settled = stragglers.map((slow, i) =>
      outcome(guard.run('get', `slow${i}`, () => slow.promise)),
    )
    await failTimes(guard, 1)
    clock.advance(COOLDOWN - 1)
    stragglers[0]?.reject(connectionRefused())
    await settled[0]
    clock.advance(1)
    const probe = deferred()
    const call = vi.fn(() => probe.promise)
    const probing = guard.run('get', 'probe', call)
    expect(call).toHaveBeenCalledTimes(1)
    stragglers[1]?.reject(connectionRefused())
    await settled[1]
    expect(guard.state).toBe('half-open')
    probe.resolve('ok')
    await probing
    expect(guard.state).toBe('closed')
    expect(guard.stats()).toMatchObject({ opened: 1, failures: 3 })
  })

  test.each([
    ['InvalidKeyError', () => new InvalidKeyError('key must not be empty', '')],
    ['ValueTooLargeError', () => new ValueTooLargeError('k', 2_000_000, 1_048_576)],
    ['SerializationError', () => new SerializationError('cannot serialize a function', 'k')],
    ['ClosedError', () => new ClosedError('redis store')],
  ])('a caller mistake (%s) passes through and never trips the breaker', async (_, make) => {
    const { guard } = guardWithClock({ breaker: { failureThreshold: 1 } })
    for (let i = 0; i < 3; i++) {
      const error = make()
      await expect(guard.run('set', 'k', fail(error))).rejects.toBe(error)
    }
    expect(guard.state).toBe('closed')
    expect(guard.stats()).toEqual({ timeouts: 0, failures: 0, rejectedWhileOpen: 0, opened: 0 })
  })

  test('a caller mistake does not break the consecutive-failure streak either', async () => {
    const { guard } = guardWithClock({ breaker: { failureThreshold: 2 } })
    await failTimes(guard, 1)
    await guard.run('set', 'k', fail(new InvalidKeyError('bad key', 'k'))).catch(() => undefined)
    await failTimes(guard, 1)
    expect(guard.state).toBe('open')
  })

  test('a probe that fails with a caller mistake settles nothing: the next call probes', async () => {
    const { guard, clock } = guardWithClock()
    await failTimes(guard, 3)
    clock.advance(COOLDOWN)
    const mistake = new ValueTooLargeError('k', 10, 5)
    await expect(guard.run('set', 'k', fail(mistake))).rejects.toBe(mistake)
    expect(guard.state).toBe('half-open')
    await expect(guard.run('get', 'k', succeed)).resolves.toBe('ok')
    expect(guard.state).toBe('closed')
  })

  test('emits every transition to listeners until they unsubscribe', async () => {
    const { guard, clock } = guardWithClock()
    const seen: [BreakerState, BreakerState][] = []
    const unsubscribe = guard.onStateChange((state, previous) => seen.push([state, previous]))
    await failTimes(guard, 3)
    clock.advance(COOLDOWN)
    await guard.run('get', 'k', fail()).catch(() => undefined)
    clock.advance(COOLDOWN)
    expect(guard.state).toBe('half-open') // reading the state after the cooldown moves it
    await guard.run('get', 'k', succeed)
    unsubscribe()
    await failTimes(guard, 3)
    expect(seen).toEqual([
      ['open', 'closed'],
      ['half-open', 'open'],
      ['open', 'half-open'],
      ['half-open', 'open'],
      ['closed', 'half-open'],
    ])
  })

  test('a throwing listener disturbs neither the guard nor other listeners', async () => {
    const rethrown: (() => void)[] = []
    vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((task) => rethrown.push(task))
    try {
      const { guard } = guardWithClock({ breaker: { failureThreshold: 1 } })
      const boom = new Error('listener bug')
      const other = vi.fn()
      guard.onStateChange(() => {
        throw boom
      })
      guard.onStateChange(other)
      const failure = connectionRefused()
      await expect(guard.run('get', 'k', fail(failure))).rejects.toBe(failure)
      expect(guard.state).toBe('open')
      expect(other).toHaveBeenCalledWith('open', 'closed')
      expect(rethrown).toHaveLength(1)
      expect(() => rethrown[0]?.()).toThrow(boom)
    } finally {
      vi.restoreAllMocks()
    }
  })

  test('breaker: false never opens but still counts', async () => {
    const guard = new TierGuard('redis', { timeout: Number.POSITIVE_INFINITY, breaker: false })
    await failTimes(guard, 50)
    expect(guard.state).toBe('closed')
    await expect(guard.run('get', 'k', succeed)).resolves.toBe('ok')
    expect(guard.stats()).toEqual({ timeouts: 0, failures: 50, rejectedWhileOpen: 0, opened: 0 })
  })

  test('stats() is a snapshot', async () => {
    const { guard } = guardWithClock()
    const before = guard.stats()
    await failTimes(guard, 1)
    expect(before.failures).toBe(0)
    expect(guard.stats().failures).toBe(1)
  })
})
