import { StoreUnavailableError, TimeoutError } from '../errors.js'
import { Deadlines } from '../store-kit/deadlines.js'
import { isTierFailure } from './failure.js'
import { resolveTierGuardOptions, type TierGuardOptions } from './options.js'

/** `closed`: calls go through. `open`: calls fail fast. `half-open`: one probe call decides. */
export type BreakerState = 'closed' | 'open' | 'half-open'

/** Called after every breaker transition. */
export type BreakerListener = (state: BreakerState, previous: BreakerState) => void

/** Counters of a {@link TierGuard} since it was created. */
export interface TierGuardStats {
  /** Calls that passed `timeout` (each also counts as a failure). */
  timeouts: number
  /** Calls that failed with a tier failure (see `isTierFailure`), timeouts included. */
  failures: number
  /** Calls refused without being made because the circuit was open or a probe was in flight. */
  rejectedWhileOpen: number
  /** Times the circuit opened, re-openings after a failed probe included. */
  opened: number
}

/** Keys can be 10 kB long; messages quote at most this many characters of one. */
const KEY_IN_MESSAGE = 120

/**
 * Guards every call the cache makes to one remote tier with a per-operation timeout and a
 * circuit breaker, so that a slow or dead backend costs at most `timeout` per call, and
 * nothing at all once the breaker has seen `failureThreshold` consecutive failures.
 *
 * While open, calls fail at once with `StoreUnavailableError('circuit open')`. After
 * `cooldown` ms the next call is a half-open probe: concurrent calls keep failing fast
 * until it settles; its success closes the circuit, its failure re-opens it for another
 * cooldown. No timer runs while open: the transition happens on the first call (or
 * `state` read) after the cooldown.
 *
 * @example
 * ```ts
 * const guard = new TierGuard('redis', { timeout: 500, breaker: { failureThreshold: 5, cooldown: 5_000 } })
 * guard.onStateChange((state, previous) => log.warn(`redis circuit ${previous} -> ${state}`))
 * const bytes = await guard.run('get', key, () => store.get(key))
 * ```
 */
export class TierGuard {
  /** The guarded tier's name, quoted in every error this guard raises. */
  readonly tierName: string
  readonly #timeout: number
  readonly #failureThreshold: number
  readonly #cooldown: number
  readonly #clock: () => number
  /** One timer for all calls in flight (they share the timeout); none without a timeout. */
  readonly #deadlines: Deadlines | undefined
  readonly #listeners = new Set<BreakerListener>()
  #state: BreakerState = 'closed'
  #consecutiveFailures = 0
  #halfOpenAt = 0
  #probeInFlight = false
  #openedBy: unknown
  #timeouts = 0
  #failures = 0
  #rejectedWhileOpen = 0
  #opened = 0

  constructor(tierName: string, options: TierGuardOptions = {}) {
    const resolved = resolveTierGuardOptions(tierName, options)
    this.tierName = tierName
    this.#timeout = resolved.timeout
    this.#failureThreshold = resolved.failureThreshold
    this.#cooldown = resolved.cooldown
    this.#clock = resolved.clock
    this.#deadlines =
      resolved.timeout === Number.POSITIVE_INFINITY ? undefined : new Deadlines(resolved.timeout)
  }

  /**
   * Runs `call` under the timeout and the breaker. Its result or error passes through
   * unchanged; it rejects with `TimeoutError` when `timeout` passes first (the call is
   * left to settle, its late outcome ignored), and with `StoreUnavailableError` without
   * calling while the circuit is open.
   *
   * @param operation - Name of the store method, quoted in errors (`'get'`, `'setMany'`...).
   * @param key - The key concerned, quoted in errors and set as their `key`; `undefined` for batches.
   */
  run<T>(operation: string, key: string | undefined, call: () => Promise<T>): Promise<T> {
    const probe = this.#state !== 'closed'
    if (probe && !this.#admitProbe()) return this.#rejectWhileOpen(key)
    let pending: Promise<T>
    try {
      pending = call()
    } catch (error) {
      this.#failed(error, probe)
      return Promise.reject(error)
    }
    if (this.#timeout === Number.POSITIVE_INFINITY) {
      return probe
        ? pending.then(this.#probeSucceeded, this.#probeFailed)
        : pending.then(this.#succeeded, this.#failedAndRethrow)
    }
    return this.#withTimeout(pending, probe, operation, key)
  }

  /** The breaker's state; reading it after the cooldown moves an open circuit to half-open. */
  get state(): BreakerState {
    if (this.#state === 'open' && this.#clock() >= this.#halfOpenAt) this.#transition('half-open')
    return this.#state
  }

  /**
   * Calls `listener` after every state transition. A listener that throws does not
   * disturb the guard; its error is rethrown in a microtask. Returns an unsubscribe function.
   */
  onStateChange(listener: BreakerListener): () => void {
    this.#listeners.add(listener)
    return () => {
      this.#listeners.delete(listener)
    }
  }

  /** A snapshot of the counters. */
  stats(): TierGuardStats {
    return {
      timeouts: this.#timeouts,
      failures: this.#failures,
      rejectedWhileOpen: this.#rejectedWhileOpen,
      opened: this.#opened,
    }
  }

  // Handlers shared by every call without a timer, so that such calls allocate no closure.
  readonly #succeeded = <T>(value: T): T => {
    this.#consecutiveFailures = 0
    return value
  }
  readonly #failedAndRethrow = (error: unknown): never => {
    this.#failed(error, false)
    throw error
  }
  readonly #probeSucceeded = <T>(value: T): T => {
    this.#recordSuccess(true)
    return value
  }
  readonly #probeFailed = (error: unknown): never => {
    this.#failed(error, true)
    throw error
  }

  #withTimeout<T>(
    pending: Promise<T>,
    probe: boolean,
    operation: string,
    key: string | undefined,
  ): Promise<T> {
    const deadlines = this.#deadlines as Deadlines
    return new Promise<T>((resolve, reject) => {
      const deadline = deadlines.start(() => {
        this.#timeouts++
        const error = this.#timeoutError(operation, key)
        this.#failed(error, probe)
        reject(error)
      })
      // Both handlers stay attached after a timeout, so a late rejection is always handled.
      pending.then(
        (value) => {
          if (!deadlines.finish(deadline)) return
          this.#recordSuccess(probe)
          resolve(value)
        },
        (error: unknown) => {
          if (!deadlines.finish(deadline)) return
          this.#failed(error, probe)
          reject(error)
        },
      )
    })
  }

  /** In open or half-open state: whether this call may go through as the one probe. */
  #admitProbe(): boolean {
    if (this.#state === 'open') {
      if (this.#clock() < this.#halfOpenAt) return false
      this.#probeInFlight = true
      this.#transition('half-open')
      return true
    }
    if (this.#probeInFlight) return false
    this.#probeInFlight = true
    return true
  }

  #recordSuccess(probe: boolean): void {
    this.#consecutiveFailures = 0
    if (probe) {
      this.#probeInFlight = false
      this.#transition('closed')
    }
  }

  #failed(error: unknown, probe: boolean): void {
    if (!isTierFailure(error)) {
      // A caller mistake says nothing about the tier: the next call may probe instead.
      if (probe) this.#probeInFlight = false
      return
    }
    this.#failures++
    // While open or half-open only the probe decides: late failures of calls made before
    // the circuit opened neither extend nor re-open it.
    if (
      probe ||
      (this.#state === 'closed' && ++this.#consecutiveFailures >= this.#failureThreshold)
    ) {
      this.#open(error)
    }
  }

  #open(cause: unknown): void {
    this.#consecutiveFailures = 0
    this.#probeInFlight = false
    this.#halfOpenAt = this.#clock() + this.#cooldown
    this.#openedBy = cause
    this.#opened++
    this.#transition('open')
  }

  #rejectWhileOpen(key: string | undefined): Promise<never> {
    this.#rejectedWhileOpen++
    // Its stack would only ever show this method, and capturing one costs a few µs on every
    // refused call during an outage; the opening failure, with its stack, is the `cause`.
    const stackTraceLimit = Error.stackTraceLimit
    Error.stackTraceLimit = 0
    try {
      return Promise.reject(
        new StoreUnavailableError(this.tierName, 'circuit open', this.#openedBy, key),
      )
    } finally {
      Error.stackTraceLimit = stackTraceLimit
    }
  }

  #timeoutError(operation: string, key: string | undefined): TimeoutError {
    const subject = key === undefined ? operation : `${operation} of key ${quote(key)}`
    return new TimeoutError(
      `${this.tierName}: ${subject} timed out after ${this.#timeout} ms`,
      this.#timeout,
      key,
    )
  }

  #transition(next: BreakerState): void {
    const previous = this.#state
    if (previous === next) return
    this.#state = next
    for (const listener of this.#listeners) {
      try {
        listener(next, previous)
      } catch (error) {
        queueMicrotask(() => {
          throw error
        })
      }
    }
  }
}

/** Quotes a key for a message, shortening the 10 kB keys a store must accept. */
function quote(key: string): string {
  return key.length > KEY_IN_MESSAGE ? `"${key.slice(0, KEY_IN_MESSAGE)}…"` : `"${key}"`
}
