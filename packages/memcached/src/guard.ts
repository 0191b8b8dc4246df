import { StackError, StoreUnavailableError } from '@stack/core'

/**
 * Runs `work` and rejects with `StoreUnavailableError` when it fails or takes longer than
 * `timeoutMs`, so a down or stuck server never hangs a caller. @stack errors (e.g.
 * `ValueTooLargeError`) pass through unchanged.
 */
export async function guard<T>(
  store: string,
  timeoutMs: number,
  work: () => Promise<T>,
  key?: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new StoreUnavailableError(store, `no answer within ${timeoutMs} ms`, undefined, key),
        ),
      timeoutMs,
    )
  })
  try {
    return await Promise.race([work(), timeout])
  } catch (error) {
    if (StackError.isInstance(error)) throw error
    const message = error instanceof Error ? error.message : String(error)
    throw new StoreUnavailableError(store, message, error, key)
  } finally {
    clearTimeout(timer)
  }
}
