import { type Duration, InvalidOptionError, toMilliseconds } from '@stack/core'
import { type OptionNames, readOptions } from '@stack/core/store-kit'
import type { MemcachedConnection } from './client.js'

/** Options of {@link memcachedStore}. */
export interface MemcachedStoreOptions {
  /**
   * A memjs `Client` (not closed by `close()`), or the servers as `'host:port,host:port'`
   * or `['host:port', ...]`. Default `'127.0.0.1:11211'`.
   */
  readonly client?: MemcachedConnection
  /**
   * Prefix of every memcached key this store writes (`<namespace>:<key>`), so stores with
   * different namespaces share servers without meeting. Letters, digits, `_`, `.`, `-`;
   * at most 64. Default `'stack'`.
   */
  readonly namespace?: string
  /** Longest any call may take before it rejects with `StoreUnavailableError`. Default `'1s'`. */
  readonly timeout?: Duration
  /**
   * Largest value accepted, in bytes; larger ones reject with `ValueTooLargeError`. Keep it
   * at least 512 bytes under the servers' item size (`memcached -I`, 1 MiB by default) for
   * the key and headers. Default 1 MiB − 512 B.
   */
  readonly maxValueBytes?: number
  /**
   * Distinct prefixes `clear(prefix)` remembers per server before it falls back to
   * clearing everything (see the README). Default 1,000 (24 kB per server).
   */
  readonly maxClearedPrefixes?: number
}

export interface ResolvedMemcachedOptions {
  readonly namespace: string
  readonly timeoutMs: number
  readonly maxValueBytes: number
  readonly maxClearedPrefixes: number
}

const MEMCACHED_STORE_OPTIONS: OptionNames<MemcachedStoreOptions> = {
  client: true,
  namespace: true,
  timeout: true,
  maxValueBytes: true,
  maxClearedPrefixes: true,
}
const NAMESPACE = /^[A-Za-z0-9_.-]{1,64}$/
export const DEFAULT_MAX_VALUE_BYTES = 1024 * 1024 - 512

/** Validates {@link MemcachedStoreOptions}; throws `InvalidOptionError` naming the bad option. */
export function resolveMemcachedOptions(options: MemcachedStoreOptions): ResolvedMemcachedOptions {
  readOptions(options, MEMCACHED_STORE_OPTIONS, { factory: 'memcachedStore' })
  const namespace = options.namespace ?? 'stack'
  if (typeof namespace !== 'string' || !NAMESPACE.test(namespace)) {
    throw new InvalidOptionError(
      'namespace',
      `namespace must match ${NAMESPACE}, got ${JSON.stringify(namespace)}`,
    )
  }
  const timeoutMs = toMilliseconds(options.timeout ?? 1_000, 'timeout')
  if (timeoutMs <= 0 || !Number.isFinite(timeoutMs)) {
    throw new InvalidOptionError(
      'timeout',
      `timeout must be a finite duration > 0, got ${timeoutMs}`,
    )
  }
  return {
    namespace,
    timeoutMs,
    maxValueBytes: positiveInteger(options.maxValueBytes, DEFAULT_MAX_VALUE_BYTES, 'maxValueBytes'),
    maxClearedPrefixes: positiveInteger(options.maxClearedPrefixes, 1_000, 'maxClearedPrefixes'),
  }
}

function positiveInteger(value: number | undefined, fallback: number, option: string): number {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidOptionError(
      option,
      `${option} must be a positive integer, got ${String(value)}`,
    )
  }
  return value
}
