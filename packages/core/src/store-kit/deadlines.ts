/** A call being timed by {@link Deadlines}. */
export interface Deadline {
  readonly at: number
  /** Called if the deadline passes first; cleared once the call finished. */
  onExpiry: (() => void) | undefined
}

/**
 * Times any number of calls that share one timeout with a single timer, instead of a
 * timer per call (arming and clearing one costs about as much as a Redis round trip's
 * own client-side work). Deadlines arrive in increasing order, so the calls form a
 * queue: the timer waits for the oldest unfinished one, expires what is due, and re-arms.
 * Time is read from `performance.now()` (monotonic): a wall-clock step neither expires
 * calls early nor holds them late.
 *
 * @example
 * ```ts
 * const deadlines = new Deadlines(500)
 * function timed<T>(call: Promise<T>): Promise<T> {
 *   return new Promise((resolve, reject) => {
 *     const deadline = deadlines.start(() => reject(new Error('timed out after 500 ms')))
 *     call.then(
 *       (value) => deadlines.finish(deadline) && resolve(value),
 *       (error) => deadlines.finish(deadline) && reject(error),
 *     )
 *   })
 * }
 * ```
 */
export class Deadlines {
  readonly #timeoutMs: number
  #queue: Deadline[] = []
  #head = 0
  /** Calls still timed (neither finished nor expired), wherever they are in the queue. */
  #pending = 0
  #timer: ReturnType<typeof setTimeout> | undefined

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs
  }

  /** Starts timing a call; `onExpiry` runs if it is not finished within the timeout. */
  start(onExpiry: () => void): Deadline {
    const deadline: Deadline = { at: performance.now() + this.#timeoutMs, onExpiry }
    this.#queue.push(deadline)
    this.#pending++
    this.#timer ??= this.#arm(this.#timeoutMs)
    return deadline
  }

  /** Stops timing; `false` when the deadline had already passed (the call was expired). */
  finish(deadline: Deadline): boolean {
    if (deadline.onExpiry === undefined) return false
    deadline.onExpiry = undefined
    this.#pending--
    this.#dropFinished()
    return true
  }

  /**
   * Entries the queue holds: the calls being timed, plus finished ones not dropped yet.
   * At most about twice the calls in flight (and 1,024), however many calls went by.
   */
  get held(): number {
    return this.#queue.length - this.#head
  }

  /** Whether the call is still being timed (neither finished nor expired). */
  pending(deadline: Deadline): boolean {
    return deadline.onExpiry !== undefined
  }

  /**
   * Advances past finished calls at the head, so the queue stays short under load. Behind
   * a call that hangs, finished calls pile up until it expires: once they are most of
   * the queue, they are dropped, so memory follows the calls in flight, not the traffic.
   */
  #dropFinished(): void {
    while (this.#head < this.#queue.length && this.#queue[this.#head]?.onExpiry === undefined) {
      this.#head++
    }
    const queued = this.#queue.length - this.#head
    if (queued === 0) {
      this.#queue.length = 0
      this.#head = 0
    } else if (queued > 1_024 && this.#pending * 2 < queued) {
      this.#queue = this.#queue.filter(
        (deadline, index) => index >= this.#head && deadline.onExpiry !== undefined,
      )
      this.#head = 0
    } else if (this.#head > 1_024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head)
      this.#head = 0
    }
  }

  /**
   * Unref'd: the timer may outlive the calls it timed, and must not hold the process
   * open; a pending call always has the client's own socket or reconnect timer doing so.
   */
  #arm(delayMs: number): ReturnType<typeof setTimeout> {
    return setTimeout(this.#expire, delayMs).unref()
  }

  readonly #expire = (): void => {
    this.#timer = undefined
    const now = performance.now()
    for (;;) {
      const oldest = this.#queue[this.#head]
      if (oldest === undefined) break
      if (oldest.onExpiry !== undefined && oldest.at > now) {
        this.#timer = this.#arm(oldest.at - now)
        break
      }
      const onExpiry = oldest.onExpiry
      oldest.onExpiry = undefined
      this.#head++
      if (onExpiry !== undefined) {
        this.#pending--
        onExpiry()
      }
    }
    this.#dropFinished()
  }
}
