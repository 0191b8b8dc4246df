import { type Duration, InvalidOptionError } from '@stack/core'
import {
  assertOptionsObject,
  durationOption,
  integerOption,
  oneOfOption,
} from '@stack/core/store-kit'
import Keyv, { type KeyvStoreAdapter } from 'keyv'

/** Options of {@link keyvStore}. */
export interface KeyvStoreOptions {
  /**
   * The Keyv storage adapter to use (`new KeyvRedis(url)`, `new KeyvSqlite(uri)`, ...) or a
   * `Keyv` instance, or a `Map` (Keyv's in-process store, for tests). The store sets the instance's `throwOnErrors`, so that a failing backend
   * rejects (and core counts it) instead of looking like a miss, and the store's `close()`
   * disconnects it.
   */
  readonly keyv: Keyv | KeyvStoreAdapter | Map<unknown, unknown>
  /** Keyv namespace when `keyv` is an adapter: letters, digits, `_`, `-`, `.`. Default `'stack'`. */
  readonly namespace?: string | undefined
  /** Name in errors, stats and traces. Default `'keyv'`. */
  readonly name?: string | undefined
  /** Longest wait for one call before it rejects with `StoreUnavailableError`. Default `'5s'`. */
  readonly timeout?: Duration | undefined
  /**
   * The expiry unit the adapter honours. `'s'` rounds every lifetime up to whole seconds.
   * Default `'ms'` (Keyv's TTLs are milliseconds).
   */
  readonly ttlGranularity?: 'ms' | 's' | undefined
  /** Longest key, in UTF-8 bytes, the adapter's backend accepts (e.g. 255 for a VARCHAR column). */
  readonly maxKeyBytes?: number | undefined
  /** Largest value, in bytes (before base64), the backend accepts. */
  readonly maxValueBytes?: number | undefined
}

export interface ResolvedKeyvOptions {
  readonly keyv: Keyv
  readonly name: string
  readonly timeoutMs: number
  readonly ttlGranularity: 'ms' | 's'
  readonly maxKeyBytes: number | undefined
  readonly maxValueBytes: number | undefined
}

const NAMESPACE = /^[A-Za-z0-9_.-]{1,64}$/

/** Validates {@link KeyvStoreOptions}; bad values throw `InvalidOptionError` naming the option. */
export function resolveOptions(options: KeyvStoreOptions): ResolvedKeyvOptions {
  assertOptionsObject(options, 'keyvStore() needs an options object with a keyv adapter')
  const { keyv, namespace = 'stack', name = 'keyv' } = options
  if (!isAdapter(keyv)) {
    throw new InvalidOptionError('keyv', 'keyv must be a Keyv instance or a Keyv storage adapter')
  }
  if (typeof namespace !== 'string' || !NAMESPACE.test(namespace)) {
    throw new InvalidOptionError(
      'namespace',
      `namespace must be 1-64 letters, digits, '_', '-' or '.', got ${JSON.stringify(namespace)}`,
    )
  }
  if (typeof name !== 'string' || name.length === 0) {
    throw new InvalidOptionError('name', 'name must be a non-empty string')
  }
  const instance = keyv instanceof Keyv ? keyv : new Keyv({ store: keyv, namespace })
  instance.throwOnErrors = true
  return {
    keyv: instance,
    name,
    timeoutMs: durationOption(options.timeout ?? 5_000, 'timeout'),
    ttlGranularity: oneOfOption(options.ttlGranularity, 'ttlGranularity', ['ms', 's'], 'ms'),
    maxKeyBytes: integerOption(options.maxKeyBytes, 'maxKeyBytes', { fallback: undefined, min: 2 }),
    maxValueBytes: integerOption(options.maxValueBytes, 'maxValueBytes', {
      fallback: undefined,
      min: 1,
    }),
  }
}

function isAdapter(value: unknown): value is Keyv | KeyvStoreAdapter | Map<unknown, unknown> {
  if (value instanceof Keyv || value instanceof Map) return true
  if (typeof value !== 'object' || value === null) return false
  const adapter = value as Partial<Record<'get' | 'set' | 'delete' | 'clear', unknown>>
  return ['get', 'set', 'delete', 'clear'].every(
    (method) => typeof adapter[method as 'get'] === 'function',
  )
}
