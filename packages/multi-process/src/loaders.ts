import { setTimeout as sleep } from 'node:timers/promises'
import type { LoaderContext } from '@stack/core'
import type postgres from 'postgres'
import { now } from './clock.ts'
import type { LoaderSpec } from './protocol.ts'

/** What loaders need from their worker. */
export interface LoaderHost {
  readonly name: string
  /** The application's database, for `truth` loaders. */
  truth(): { readonly sql: postgres.Sql; readonly table: string }
  /** Called at the start of every loader call. */
  onCall(key: string, at: number): void
}

/** The loader a {@link LoaderSpec} describes. Every call is counted through `host.onCall`. */
export function makeLoader(
  spec: LoaderSpec,
  host: LoaderHost,
): (context: LoaderContext) => Promise<unknown> {
  let calls = 0
  if (spec.kind === 'counter') {
    const delayMs = spec.delayMs ?? 0
    return async ({ key, signal }) => {
      const call = ++calls
      host.onCall(key, now())
      if (delayMs > 0) await sleep(delayMs, undefined, { signal })
      return `${host.name}:${call}`
    }
  }
  return async ({ key }) => {
    host.onCall(key, now())
    const { sql, table } = host.truth()
    const rows = await sql<{ value: string }[]>`SELECT value FROM ${sql(table)} WHERE key = ${key}`
    return rows[0]?.value ?? null
  }
}
