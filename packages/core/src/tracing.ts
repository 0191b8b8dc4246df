import { tracingChannel } from 'node:diagnostics_channel'

/**
 * Tracing through `node:diagnostics_channel`, so APM tools and OpenTelemetry can
 * subscribe without `@stack` depending on them. Each is a `TracingChannel` whose
 * `start`/`end`/`asyncStart`/`asyncEnd`/`error` events carry the context below.
 * Nothing is traced (and nothing costs) while no one subscribes. Local-tier hits are
 * not traced: count them with `stats()` or the `hit` event.
 *
 * @example
 * ```ts
 * import { tracingChannel } from 'node:diagnostics_channel'
 * tracingChannel('@stack/core:load').subscribe({
 *   start: (ctx) => console.log('loading', ctx.key),
 *   asyncEnd: (ctx) => console.log('loaded', ctx.key),
 *   error: (ctx) => console.error('load failed', ctx.key, ctx.error),
 * })
 * ```
 */
export const TRACING_CHANNELS = {
  /** A loader call: `{ cache, key, background }`. */
  load: '@stack/core:load',
  /** An operation on a remote tier: `{ cache, tier, operation, key }`. */
  tier: '@stack/core:tier',
} as const

export interface LoadTraceContext {
  readonly cache: string
  readonly key: string
  readonly background: boolean
}

export interface TierTraceContext {
  readonly cache: string
  readonly tier: string
  readonly operation: string
  readonly key: string | undefined
}

/**
 * The part of a `node:diagnostics_channel` `TracingChannel` core uses, declared here so
 * that core's published types need no `@types/node`.
 */
export interface TraceChannel<C extends object> {
  readonly hasSubscribers: boolean
  tracePromise<T>(call: () => Promise<T>, context: C): Promise<T>
}

export const loadChannel: TraceChannel<LoadTraceContext & object> = tracingChannel<
  unknown,
  LoadTraceContext & object
>(TRACING_CHANNELS.load)
export const tierChannel: TraceChannel<TierTraceContext & object> = tracingChannel<
  unknown,
  TierTraceContext & object
>(TRACING_CHANNELS.tier)

/** Runs `call` traced on `channel` when someone listens, untraced otherwise. */
export function traced<T, C extends object>(
  channel: TraceChannel<C>,
  context: () => C,
  call: () => Promise<T>,
): Promise<T> {
  return channel.hasSubscribers ? channel.tracePromise(call, context()) : call()
}
