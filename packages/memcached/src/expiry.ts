/** memcached reads an exptime above 30 days as an absolute Unix time in seconds. */
const RELATIVE_LIMIT_S = 30 * 24 * 60 * 60

/**
 * memcached's `exptime` for `expiresAt` (epoch ms; `Infinity` = 0, never). Whole seconds,
 * rounded up, plus one: memcached's clock ticks once a second at its own phase, so a
 * plain round-up could free an entry up to a second early. Reads check the exact
 * millisecond expiry stored in the item, so the extra second only delays freeing memory.
 * Beyond 30 days the value is sent as absolute Unix time, as the protocol requires.
 */
export function exptime(expiresAt: number, now: number): number {
  if (expiresAt === Number.POSITIVE_INFINITY) return 0
  const seconds = Math.ceil((expiresAt - now) / 1000) + 1
  if (seconds <= RELATIVE_LIMIT_S) return seconds
  return Math.min(0xffffffff, Math.ceil(expiresAt / 1000) + 1)
}
