import { InvalidOptionError } from '@stack/core'
import postgres, { type Options, type Sql } from 'postgres'

// The exported types name postgres.js' types by named import, so the emitted `.d.ts` has
// no default import of its `export =` and compiles without `esModuleInterop`.

/** A postgres.js instance (`postgres(...)`), whatever its custom types. */
export type PostgresClient = Sql<{}>

/** How a store or bus reaches PostgreSQL: an existing instance, a URL, or postgres.js options. */
export type PostgresConnection = PostgresClient | string | Options<{}>

/** True for a postgres.js instance, recognised by shape so that any installed copy works. */
export function isPostgresClient(value: unknown): value is PostgresClient {
  if (typeof value !== 'function') return false
  const candidate = value as unknown as Record<string, unknown>
  return (
    typeof candidate.unsafe === 'function' &&
    typeof candidate.begin === 'function' &&
    typeof candidate.listen === 'function' &&
    typeof candidate.end === 'function'
  )
}

/**
 * Seconds to wait before reconnect attempt `attempt`: quick at first, never more than
 * one second. postgres.js' own default grows to 10–20 s after a few failed attempts,
 * which would keep a cache tier unusable that long after PostgreSQL is back.
 */
export function reconnectBackoff(attempt: number): number {
  return Math.min(0.05 * 2 ** attempt, 1)
}

/**
 * The client to use and whether this package owns it (and so ends it on close). A client
 * created here gets a connect timeout matching the operation timeout, a reconnect backoff
 * capped at one second, and silent notices; the caller's own options win.
 */
export function resolveClient(
  connection: PostgresConnection | undefined,
  timeoutMs: number,
): { sql: PostgresClient; owned: boolean } {
  if (isPostgresClient(connection)) return { sql: connection, owned: false }
  const defaults: Options<{}> = {
    connect_timeout: Math.max(1, Math.ceil(timeoutMs / 1000)),
    backoff: reconnectBackoff,
    onnotice: () => undefined,
  }
  if (connection === undefined) return { sql: postgres(defaults), owned: true }
  if (typeof connection === 'string') return { sql: postgres(connection, defaults), owned: true }
  if (typeof connection === 'object' && connection !== null) {
    return { sql: postgres({ ...defaults, ...connection }), owned: true }
  }
  throw new InvalidOptionError(
    'client',
    `client must be a postgres.js instance, a connection URL or postgres.js options, got ${typeof connection}`,
  )
}
