import { StackError, StoreUnavailableError } from '../errors.js'

/** Which call a {@link withDeadline} guards. */
export interface DeadlineOptions {
  /** The store's `name`, carried by the `StoreUnavailableError`. */
  readonly store: string
  /** How long the operation may take, in ms (1 to 2^31-1). */
  readonly timeoutMs: number
  /** The cache key concerned, if any, carried by the error. */
  readonly key?: string | undefined
}

/**
 * Runs `operation` with an `AbortSignal` that fires after `timeoutMs`, and settles no later
 * than that even if the operation ignores the signal. A timeout, or any failure that is not
 * already a `StackError`, rejects with a `StoreUnavailableError` of `store` naming `key`
 * (the original failure as its `cause`); a `StackError` passes through unchanged.
 *
 * @example
 * ```ts
 * const value = await withDeadline({ store: 'my-store', timeoutMs: 5_000, key }, (signal) =>
 *   client.get(key, { signal }),
 * )
 * ```
 */
export async function withDeadline<T>(
  { store, timeoutMs, key }: DeadlineOptions,
  operation: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new StoreUnavailableError(
        store,
        `no answer within ${timeoutMs} ms`,
        undefined,
        key,
      )
      controller.abort(error)
      reject(error)
    }, timeoutMs)
  })
  try {
    return await Promise.race([operation(controller.signal), expired])
  } catch (error) {
    if (controller.signal.aborted) throw controller.signal.reason
    if (StackError.isInstance(error)) throw error
    throw new StoreUnavailableError(store, describeFailure(error), error, key)
  } finally {
    clearTimeout(timer)
  }
}

function describeFailure(error: unknown): string {
  if (error instanceof Error) return error.message || error.name
  return String(error)
}
