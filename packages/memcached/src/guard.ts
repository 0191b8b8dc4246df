import { StackError, StoreUnavailableError } from '@stack/core'
import { Deadlines } from '@stack/core/store-kit'

/**
 * Bounds every call of a store: {@link run} rejects with `StoreUnavailableError` when the
 * work fails or takes longer than `timeoutMs`, so a down or stuck server never hangs a
 * caller. @stack errors (e.g. `ValueTooLargeError`) pass through unchanged. All calls
 * share one timer ({@link Deadlines}), which costs less than a timer per call.
 */
export class Guard {
  readonly #store: string
  readonly #timeoutMs: number
  readonly #deadlines: Deadlines

  constructor(store: string, timeoutMs: number) {
    this.#store = store
    this.#timeoutMs = timeoutMs
    this.#deadlines = new Deadlines(timeoutMs)
  }

  /** Runs `work` within the timeout. */
  run<T>(work: () => Promise<T>, key?: string): Promise<T> {
    return this.call<T>((resolve, reject) => {
      work().then(resolve, reject)
    }, key)
  }

  /**
   * Runs `work`, which reports through `resolve` or `reject` as a promise executor does,
   * within the timeout: one promise for the whole call, for hot paths built on callbacks.
   */
  call<T>(
    work: (resolve: (value: T) => void, reject: (error: unknown) => void) => void,
    key?: string,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const deadline = this.#deadlines.start(() =>
        reject(
          new StoreUnavailableError(
            this.#store,
            `no answer within ${this.#timeoutMs} ms`,
            undefined,
            key,
          ),
        ),
      )
      const fail = (error: unknown) => {
        if (this.#deadlines.finish(deadline)) reject(this.#unavailable(error, key))
      }
      try {
        work((value) => {
          if (this.#deadlines.finish(deadline)) resolve(value)
        }, fail)
      } catch (error) {
        fail(error)
      }
    })
  }

  #unavailable(error: unknown, key: string | undefined): StackError {
    if (StackError.isInstance(error)) return error
    const message = error instanceof Error ? error.message : String(error)
    return new StoreUnavailableError(this.#store, message, error, key)
  }
}
