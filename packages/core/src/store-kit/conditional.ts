import { InvalidOptionError } from '../errors.js'

/**
 * Rejects a `setIfNewer`/`deleteIfNewer` version that is not a finite number with
 * `InvalidOptionError` naming `version`.
 *
 * @example
 * ```ts
 * async setIfNewer(key: string, value: Uint8Array, expiresAt: number, version: number) {
 *   assertKey(key)
 *   assertWrite(key, value, expiresAt)
 *   assertVersion(key, version)
 *   // ...
 * }
 * ```
 */
export function assertVersion(key: string, version: unknown): asserts version is number {
  if (typeof version !== 'number' || !Number.isFinite(version)) {
    throw new InvalidOptionError(
      'version',
      `version for key "${key}" must be a finite number (epoch ms), got ${String(version)}`,
    )
  }
}

/**
 * Rejects a `deleteIfNewer` tombstone deadline that is not a number, `NaN` or `Infinity`
 * (a tombstone that never expires would hold the key forever) with `InvalidOptionError`
 * naming `tombstoneUntil`. A past one (`-Infinity` included) is valid: no tombstone.
 *
 * @example
 * ```ts
 * async deleteIfNewer(key: string, version: number, tombstoneUntil: number) {
 *   assertKey(key)
 *   assertVersion(key, version)
 *   assertTombstoneUntil(key, tombstoneUntil)
 *   // ...
 * }
 * ```
 */
export function assertTombstoneUntil(
  key: string,
  tombstoneUntil: unknown,
): asserts tombstoneUntil is number {
  if (
    typeof tombstoneUntil !== 'number' ||
    Number.isNaN(tombstoneUntil) ||
    tombstoneUntil === Number.POSITIVE_INFINITY
  ) {
    throw new InvalidOptionError(
      'tombstoneUntil',
      `tombstoneUntil for key "${key}" must be epoch ms (not NaN or Infinity), got ${String(tombstoneUntil)}`,
    )
  }
}

/**
 * The tie rule of conditional writes in one place: a held version (of a live value or
 * tombstone; `undefined` for none, or a value written without one) refuses a write or
 * delete of `version` only when it is strictly newer. Ties go to the call that lands last.
 *
 * @example
 * ```ts
 * refusesVersion(2_000, 1_000) // true: the held value is newer
 * refusesVersion(2_000, 2_000) // false: ties write
 * refusesVersion(undefined, 1) // false
 * ```
 */
export function refusesVersion(held: number | undefined, version: number): boolean {
  return held !== undefined && held > version
}
