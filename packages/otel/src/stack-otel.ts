import { metrics, trace } from '@opentelemetry/api'
import type { Cache } from '@stack/core'
import { CacheMetrics } from './metrics.js'
import { type StackOtelOptions, validateOptions } from './options.js'
import { subscribeSpans } from './spans.js'

/** The instrumentation scope name of every meter and tracer this package creates. */
export const INSTRUMENTATION_SCOPE = '@stack/otel'

/** What {@link stackOtel} returns. */
export interface StackOtel {
  /**
   * Reports `cache`'s metrics (per cache and per tier) until the returned function is
   * called. Each observed cache needs a distinct `name` (`createCache({ name })`); a
   * second cache with a name already observed is refused with `InvalidOptionError`.
   * Namespaces share their cache's counters: observe the root cache.
   */
  observe(cache: Cache): () => void
  /** Stops every metric and span this instance reports. Idempotent. */
  shutdown(): void
}

/**
 * OpenTelemetry for `@stack` caches.
 *
 * Metrics (meter `@stack/otel`), all tagged `stack.cache.name`, tier ones also
 * `stack.cache.tier`:
 * - `stack.cache.requests` by `stack.cache.result` (`hit`, `stale_hit`, `grace_hit`, `miss`),
 *   `stack.cache.tier.requests` (`hit`, `stale_hit`, `miss`), `stack.cache.errors`,
 *   `stack.cache.tier.errors`, `stack.cache.loads` by `stack.cache.load.outcome`,
 *   `stack.cache.load.time` (s), `stack.cache.sets`, `stack.cache.deletes`,
 *   `stack.cache.refreshes`, `stack.cache.coalesced`, `stack.cache.lock.waits`: observable
 *   counters read from `cache.stats()` at each collection, so the hit path pays nothing.
 * - `stack.cache.tier.circuit.state`: a gauge, 1 for each tier's current breaker state.
 * - `stack.cache.load.duration` (s): a histogram of loader calls, with `error.type` on failures.
 *
 * Spans (tracer `@stack/otel`), from core's `diagnostics_channel` tracing channels, for
 * every cache in the process: `load <cache>` (internal) for each loader call and
 * `<operation> <tier>` (client) for each remote tier operation, children of the span
 * active when the call started; failures set `error.type`, the status and the exception.
 * Memory-tier hits make no span.
 *
 * @example
 * ```ts
 * import { createCache, memory } from '@stack/core'
 * import { stackOtel } from '@stack/otel'
 *
 * const cache = createCache({ name: 'users', tiers: [memory()] })
 * const otel = stackOtel() // the global meter and tracer providers
 * otel.observe(cache)
 * // ... on shutdown
 * otel.shutdown()
 * ```
 */
export function stackOtel(options: StackOtelOptions = {}): StackOtel {
  validateOptions(options)
  const meterProvider = options.meterProvider ?? metrics.getMeterProvider()
  const cacheMetrics = new CacheMetrics(meterProvider.getMeter(INSTRUMENTATION_SCOPE))
  let unsubscribeSpans: (() => void) | undefined
  if (options.traces ?? true) {
    const tracerProvider = options.tracerProvider ?? trace.getTracerProvider()
    unsubscribeSpans = subscribeSpans(
      tracerProvider.getTracer(INSTRUMENTATION_SCOPE),
      options.recordKeys ?? false,
    )
  }
  return {
    observe: (cache) => cacheMetrics.observe(cache),
    shutdown() {
      cacheMetrics.shutdown()
      unsubscribeSpans?.()
      unsubscribeSpans = undefined
    },
  }
}
