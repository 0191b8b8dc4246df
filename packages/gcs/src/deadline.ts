import { StackError, StoreUnavailableError } from '@stack/core'

/**
 * Runs `operation` with an `AbortSignal` that fires after `timeoutMs`, and settles no later
 * than that even if the operation ignores the signal. A timeout or any error that is not
 * already a `StackError` becomes a `StoreUnavailableError` of `store`, naming `key`.
 */
export async function withDeadline<T>(
  store: string,
  timeoutMs: number,
  key: string | undefined,
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
    throw new StoreUnavailableError(store, describeError(error), error, key)
  } finally {
    clearTimeout(timer)
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name
  return String(error)
}
