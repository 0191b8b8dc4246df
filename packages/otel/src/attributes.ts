/**
 * Attribute names @stack/otel puts on metrics and spans. OpenTelemetry has no semantic
 * conventions for caches, so these live under `stack.cache.*`, following the general
 * naming rules (dot-separated namespaces, snake_case values); the conventional
 * `error.type` is used for failures.
 */
export const ATTR_CACHE_NAME = 'stack.cache.name'
/** A tier's name, e.g. `'memory'`, `'redis'`. */
export const ATTR_TIER = 'stack.cache.tier'
/** What answered a read: `hit`, `stale_hit`, `grace_hit` (caches only) or `miss`. */
export const ATTR_RESULT = 'stack.cache.result'
/** A loader call's outcome: `success` or `error`. */
export const ATTR_LOAD_OUTCOME = 'stack.cache.load.outcome'
/** Whether a loader call ran in the background (no caller waited for it). */
export const ATTR_LOAD_BACKGROUND = 'stack.cache.load.background'
/** A tier operation, e.g. `get`, `set`, `getMany`, `clear`. */
export const ATTR_TIER_OPERATION = 'stack.cache.tier.operation'
/** A circuit breaker state: `closed`, `open` or `half_open`. */
export const ATTR_CIRCUIT_STATE = 'stack.cache.circuit.state'
/** The cache key of a span; only with `recordKeys: true` (keys may be personal data). */
export const ATTR_KEY = 'stack.cache.key'
/** The OpenTelemetry semantic convention for a failure's class: an error code or name. */
export const ATTR_ERROR_TYPE = 'error.type'

/** A low-cardinality `error.type`: a `StackError`'s code, else the error's name. */
export function errorType(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { code, name } = error as { code?: unknown; name?: unknown }
    if (typeof code === 'string' && code.length > 0) return code
    if (typeof name === 'string' && name.length > 0) return name
  }
  return '_OTHER'
}
