/**
 * Every error @stack throws or emits is a {@link StackError} with a stable `code`.
 *
 * Checks use {@link StackError.isInstance} (or the subclass' own `isInstance`)
 * rather than `instanceof`, so that two installed copies of `@stack/core`
 * (a backend resolving its own peer copy, say) still recognise each other's errors.
 *
 * @example
 * ```ts
 * try {
 *   await cache.get('')
 * } catch (error) {
 *   if (InvalidKeyError.isInstance(error)) console.log(error.code) // 'E_INVALID_KEY'
 * }
 * ```
 */

/** Registry-wide symbol: the same in every copy of this module. */
const BRAND = Symbol.for('@stack/core.error')

/** The codes @stack uses. Third-party stores should reuse them where they fit. */
export type StackErrorCode =
  | 'E_INVALID_KEY'
  | 'E_INVALID_OPTION'
  | 'E_INVALID_VALUE'
  | 'E_SERIALIZATION'
  | 'E_DECODE'
  | 'E_VALUE_TOO_LARGE'
  | 'E_STORE_UNAVAILABLE'
  | 'E_TIMEOUT'
  | 'E_CLOSED'
  | 'E_UNSUPPORTED'
  | 'E_LOADER'

/** Base class of every @stack error. */
export class StackError extends Error {
  /** Stable, machine-readable code; see {@link StackErrorCode}. */
  readonly code: StackErrorCode
  /** The cache key concerned, when there is one. */
  readonly key: string | undefined

  constructor(
    code: StackErrorCode,
    message: string,
    options: { cause?: unknown; key?: string | undefined } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.key = options.key
    Object.defineProperty(this, BRAND, { value: true })
  }

  override get name(): string {
    return this.constructor.name
  }

  /** True for any @stack error, from this copy of `@stack/core` or another one. */
  static isInstance(error: unknown): error is StackError {
    return typeof error === 'object' && error !== null && BRAND in error
  }
}

function codeCheck<T extends StackError>(code: StackErrorCode) {
  return (error: unknown): error is T => StackError.isInstance(error) && error.code === code
}

/** A key is not a non-empty string, or a store cannot accept it. */
export class InvalidKeyError extends StackError {
  constructor(message: string, key?: string, cause?: unknown) {
    super('E_INVALID_KEY', message, { key, cause })
  }
  static override isInstance = codeCheck<InvalidKeyError>('E_INVALID_KEY')
}

/** An option is unknown, of the wrong type, or out of range. `option` names it. */
export class InvalidOptionError extends StackError {
  /** The offending option's name, e.g. `'ttl'`. */
  readonly option: string
  constructor(option: string, message: string, cause?: unknown) {
    super('E_INVALID_OPTION', message, { cause })
    this.option = option
  }
  static override isInstance = codeCheck<InvalidOptionError>('E_INVALID_OPTION')
}

/** A value the cache cannot hold, such as `undefined` (a read of it would look like a miss). */
export class InvalidValueError extends StackError {
  constructor(message: string, key?: string) {
    super('E_INVALID_VALUE', message, { key })
  }
  static override isInstance = codeCheck<InvalidValueError>('E_INVALID_VALUE')
}

/** A value cannot be serialized (a function, a symbol, a class instance...). */
export class SerializationError extends StackError {
  constructor(message: string, key?: string, cause?: unknown) {
    super('E_SERIALIZATION', message, { key, cause })
  }
  static override isInstance = codeCheck<SerializationError>('E_SERIALIZATION')
}

/**
 * Stored bytes are corrupt, truncated, or from a foreign format or version.
 * Core never throws this to a reader: the read becomes a miss and the error is counted.
 */
export class DecodeError extends StackError {
  constructor(message: string, key?: string, cause?: unknown) {
    super('E_DECODE', message, { key, cause })
  }
  static override isInstance = codeCheck<DecodeError>('E_DECODE')
}

/** A value exceeds what a store (or the memory tier's `maxBytes`) can hold. */
export class ValueTooLargeError extends StackError {
  /** Size of the rejected value in bytes. */
  readonly size: number
  /** The limit it exceeded, in bytes. */
  readonly limit: number
  constructor(key: string, size: number, limit: number) {
    super('E_VALUE_TOO_LARGE', `value for key "${key}" is ${size} bytes; the limit is ${limit}`, {
      key,
    })
    this.size = size
    this.limit = limit
  }
  static override isInstance = codeCheck<ValueTooLargeError>('E_VALUE_TOO_LARGE')
}

/** A backend could not be reached or failed; `cause` holds the client's error. */
export class StoreUnavailableError extends StackError {
  /** The store's `name`. */
  readonly store: string
  constructor(store: string, message: string, cause?: unknown, key?: string) {
    super('E_STORE_UNAVAILABLE', `${store}: ${message}`, { cause, key })
    this.store = store
  }
  static override isInstance = codeCheck<StoreUnavailableError>('E_STORE_UNAVAILABLE')
}

/** An operation or a loader did not finish within its time limit. */
export class TimeoutError extends StackError {
  /** The limit that passed, in ms. */
  readonly timeout: number
  constructor(message: string, timeout: number, key?: string) {
    super('E_TIMEOUT', message, { key })
    this.timeout = timeout
  }
  static override isInstance = codeCheck<TimeoutError>('E_TIMEOUT')
}

/** The cache or store was closed; every later call fails with this. */
export class ClosedError extends StackError {
  constructor(what: string) {
    super('E_CLOSED', `${what} is closed`)
  }
  static override isInstance = codeCheck<ClosedError>('E_CLOSED')
}

/** A store lacks an optional operation that has no core fallback (e.g. `keys`). */
export class UnsupportedError extends StackError {
  constructor(message: string) {
    super('E_UNSUPPORTED', message)
  }
  static override isInstance = codeCheck<UnsupportedError>('E_UNSUPPORTED')
}
