import { ClosedError, StackError, StoreUnavailableError } from '@stack/core'
import { Deadlines } from '@stack/core/store-kit'
import type { RedisClient } from './client.js'

/**
 * Every Redis call of a store or bus goes through its gate, which enforces the
 * contract's failure rules: calls after `close()` reject with `ClosedError`; a call
 * made while the connection is down waits for it to come back, and any call that has
 * not settled within `timeoutMs` rejects with `StoreUnavailableError`. Client errors
 * become `StoreUnavailableError` with the client's error as `cause`.
 */
export class Gate {
  readonly #client: RedisClient
  readonly #name: string
  readonly #timeoutMs: number
  readonly #deadlines: Deadlines
  #closed = false
  #ready: Promise<void> | undefined
  #lastError: unknown

  constructor(client: RedisClient, name: string, timeoutMs: number, trackErrors: boolean) {
    this.#client = client
    this.#name = name
    this.#timeoutMs = timeoutMs
    this.#deadlines = new Deadlines(timeoutMs)
    // Listening to 'error' silences ioredis' own logging, so only on clients we created.
    if (trackErrors) client.on('error', this.#recordError)
  }

  /**
   * Runs `call` once the client is ready, within the timeout. A call still waiting for
   * the connection when the timeout passes is dropped, never sent late.
   */
  run<T>(call: () => Promise<T>, key?: string): Promise<T> {
    if (this.#closed) return Promise.reject(new ClosedError(this.#name))
    return new Promise<T>((resolve, reject) => {
      const deadline = this.#deadlines.start(() => reject(this.#timedOut(key)))
      const fail = (error: unknown) => {
        if (this.#deadlines.finish(deadline)) reject(this.unavailable(error, key))
      }
      const start = () => {
        if (!this.#deadlines.pending(deadline)) return
        try {
          call().then((value) => {
            if (this.#deadlines.finish(deadline)) resolve(value)
          }, fail)
        } catch (error) {
          fail(error)
        }
      }
      if (this.#client.status === 'ready') start()
      else this.#whenReady().then(start, fail)
    })
  }

  /** Resolves once the client is ready (within the timeout); rejects like {@link run}. */
  ready(): Promise<void> {
    return this.run(async () => {})
  }

  /** `error` as a `StoreUnavailableError` (a @stack error is passed through). */
  unavailable(error: unknown, key?: string): StackError {
    if (StackError.isInstance(error)) return error
    const message = error instanceof Error ? error.message : String(error)
    return new StoreUnavailableError(this.#name, message, error, key)
  }

  /** Marks the gate closed; later calls reject with `ClosedError`. */
  close(): void {
    this.#closed = true
    this.#client.off('error', this.#recordError)
    this.#client.off('ready', this.#onReady)
  }

  #timedOut(key: string | undefined): StoreUnavailableError {
    const last = this.#lastError instanceof Error ? ` (last error: ${this.#lastError.message})` : ''
    const state = this.#client.status === 'ready' ? 'no reply' : `connection ${this.#client.status}`
    return new StoreUnavailableError(
      this.#name,
      `${state} within ${this.#timeoutMs} ms${last}`,
      this.#lastError,
      key,
    )
  }

  /** One shared wait for the next 'ready', however many calls are waiting. */
  #whenReady(): Promise<void> {
    const status = this.#client.status
    if (status === 'end') return Promise.reject(new Error('connection is closed'))
    if (this.#ready === undefined) {
      this.#ready = new Promise<void>((resolve) => {
        this.#resolveReady = resolve
        this.#client.once('ready', this.#onReady)
      })
      if (status === 'wait') this.#client.connect().catch(this.#recordError)
    }
    return this.#ready
  }

  #resolveReady: (() => void) | undefined

  readonly #onReady = (): void => {
    this.#ready = undefined
    this.#lastError = undefined
    this.#resolveReady?.()
  }

  readonly #recordError = (error: unknown): void => {
    this.#lastError = error
  }
}
