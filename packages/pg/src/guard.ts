import { StackError, StoreUnavailableError } from '@stack/core'

/** What {@link guard} can cancel: a postgres.js query. */
export interface Cancellable {
  cancel(): unknown
  /** postgres.js sets this while the query runs on a connection (sent, not yet answered). */
  readonly active?: boolean
}

/** Registers a query so that {@link guard} cancels it on timeout; returns it unchanged. */
export type Track = <Q extends Cancellable>(query: Q) => Q

/**
 * Runs `work` and rejects with `StoreUnavailableError` when it fails or takes longer than
 * `timeoutMs`, so a down or stuck server never hangs a caller. On timeout the queries
 * `work` tracked that are running are cancelled server-side. Queries not sent yet are left
 * alone: cancelling a query a connection is still opening for makes postgres.js 3.4 leak
 * that connection, and a long enough outage would leak the whole pool. Such a query runs
 * once the server answers again; its result is ignored.
 * @stack errors pass through unchanged.
 */
export async function guard<T>(
  store: string,
  timeoutMs: number,
  work: (track: Track) => PromiseLike<T>,
  key?: string,
): Promise<T> {
  const tracked: Cancellable[] = []
  const track: Track = (query) => {
    tracked.push(query)
    return query
  }
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      for (const query of tracked) cancelQuietly(query)
      reject(new StoreUnavailableError(store, `no answer within ${timeoutMs} ms`, undefined, key))
    }, timeoutMs)
  })
  try {
    return await Promise.race([work(track), timeout])
  } catch (error) {
    if (StackError.isInstance(error)) throw error
    throw new StoreUnavailableError(store, describe(error), error, key)
  } finally {
    clearTimeout(timer)
  }
}

function cancelQuietly(query: Cancellable): void {
  if (query.active !== true) return
  try {
    const result = query.cancel()
    if (result instanceof Promise) result.catch(() => undefined)
  } catch {}
}

/** `CODE: message` for driver errors (`ECONNREFUSED`, SQLSTATE codes), else the message. */
export function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code
    return typeof code === 'string' ? `${code}: ${error.message}` : error.message
  }
  return String(error)
}
