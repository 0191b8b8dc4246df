/**
 * Coalesces concurrent calls per key: while a call for `key` is in flight, later
 * callers get the same promise instead of starting their own.
 */
export class SingleFlight<T> {
  readonly #inFlight = new Map<string, Promise<T>>()

  /** The promise of the call in flight for `key`, if any. */
  pending(key: string): Promise<T> | undefined {
    return this.#inFlight.get(key)
  }

  run(key: string, call: () => Promise<T>): Promise<T> {
    const promise = call().finally(() => {
      if (this.#inFlight.get(key) === promise) this.#inFlight.delete(key)
    })
    this.#inFlight.set(key, promise)
    return promise
  }
}
