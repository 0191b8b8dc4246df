import { type Duration, InvalidOptionError } from '@stack/core'
import { booleanOption, type OptionNames } from '@stack/core/store-kit'
import { CONNECTION_OPTIONS, type RedisConnectionOptions } from './client.js'

/** Options of {@link redisStore}. */
export interface RedisStoreOptions extends RedisConnectionOptions {
  /**
   * Namespace prepended to every key, so the store shares a database safely with other
   * data: `clear('')` removes only keys under it. Default `'stack:'`. Put a Cluster hash
   * tag in it (`'{stack}:'`) to keep all keys in one slot.
   */
  readonly keyPrefix?: string | undefined
  /**
   * Longest any call may take, a round trip of `clear`/`keys` included, before it
   * rejects with `StoreUnavailableError`. Default `'1s'`.
   */
  readonly timeout?: Duration | undefined
  /** Name in errors, stats and traces. Default `'redis'`. */
  readonly name?: string | undefined
  /** Largest value accepted, in bytes. Default and maximum: 512 MiB, Redis' own limit. */
  readonly maxValueBytes?: number | undefined
  /** `SCAN ... COUNT` hint for `clear` and `keys`. Default 1000. */
  readonly scanCount?: number | undefined
  /**
   * Skip re-sending unchanged values: an envelope is stored with its payload's SHA-256,
   * and a `set` whose payload is the one stored rewrites only the envelope header and the
   * expiry, in one Lua script on the server. Costs a SHA-256 of each value, and a second
   * round trip when the value did change. Default `false`.
   */
  readonly dedupeWrites?: boolean | undefined
  /**
   * Conditional writes (`capabilities.conditionalWrite`): each value carries its version,
   * and core's writes and deletes are Lua scripts that refuse to replace a newer value or
   * to undo a newer delete (whose tombstone stays for the cache's `tombstoneTtl`), so a
   * slow write from one process never wins over a newer one from another. Default `true`,
   * unless `dedupeWrites` is on: the two are not combined yet (`InvalidOptionError`).
   */
  readonly conditionalWrites?: boolean | undefined
}

export const REDIS_STORE_OPTIONS: OptionNames<RedisStoreOptions> = {
  ...CONNECTION_OPTIONS,
  keyPrefix: true,
  timeout: true,
  name: true,
  maxValueBytes: true,
  scanCount: true,
  dedupeWrites: true,
  conditionalWrites: true,
}

export function positiveInteger(
  option: string,
  value: number | undefined,
  fallback: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new InvalidOptionError(
      option,
      `${option} must be an integer from 1 to ${max}, got ${value}`,
    )
  }
  return value
}

/** `conditionalWrites`: on by default, except with `dedupeWrites` (not combined yet). */
export function conditionalOption(value: boolean | undefined, dedupeWrites: boolean): boolean {
  const conditional = booleanOption(value, 'conditionalWrites', !dedupeWrites)
  if (conditional && dedupeWrites) {
    throw new InvalidOptionError(
      'conditionalWrites',
      'conditionalWrites and dedupeWrites cannot be combined yet: turn one of them off',
    )
  }
  return conditional
}
