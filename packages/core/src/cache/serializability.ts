import { SerializationError } from '../errors.js'
import { callerKey } from './keyspace.js'
import type { CacheRuntime } from './runtime.js'

/**
 * The serializability check of memory-only caches (option `checkSerializable`): a value
 * that only a memory tier holds works in development and fails once a remote tier is
 * added in production. Each write of such a cache serializes the value once with the
 * configured serializer (the hit path is untouched). A value that cannot be encoded is
 * reported (`error` event, operation `serializable`, and the logger); in strict mode the
 * write rejects with the `SerializationError` instead, before anything is written.
 */
export function checkSerializable(rt: CacheRuntime, fullKey: string, value: unknown): void {
  if (!rt.options.checkSerializable || rt.remotes.length > 0) return
  try {
    rt.options.serializer.serialize(value)
  } catch (cause) {
    const key = callerKey(fullKey)
    const error = new SerializationError(
      `the value for key "${key}" could not be stored by a remote tier: ${rt.options.serializer.name} refuses it (${(cause as Error)?.message ?? String(cause)}); this cache is memory-only, so it works here, but fails once a remote tier is added`,
      key,
      cause,
    )
    if (rt.options.strict) throw error
    rt.reportError(fullKey, undefined, 'serializable', error)
  }
}
