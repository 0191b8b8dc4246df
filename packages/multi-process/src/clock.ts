/**
 * Epoch milliseconds with sub-millisecond precision. Every process on one machine derives
 * it from the same system clock, so times taken in different workers can be compared
 * (to within a few microseconds), which is how the coherence window is measured.
 */
export function now(): number {
  return performance.timeOrigin + performance.now()
}
