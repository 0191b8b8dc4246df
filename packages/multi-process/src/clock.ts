/** Milliseconds of the system-wide monotonic clock (`CLOCK_MONOTONIC` on Linux). */
function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6
}

/** Environment variable through which a parent gives its workers its epoch offset. */
export const EPOCH_OFFSET_VARIABLE = 'STACK_MP_EPOCH_OFFSET'

/**
 * `Date.now() - monotonicMs()`, sampled once by the parent and handed down to its workers,
 * so that every process converts the shared monotonic clock to epoch time with the same
 * constant. (`performance.timeOrigin` cannot serve: each process samples it on its own,
 * and two processes' values were seen to differ by 1.5 ms.)
 */
export const EPOCH_OFFSET = Number(process.env[EPOCH_OFFSET_VARIABLE] ?? Date.now() - monotonicMs())

/**
 * Epoch milliseconds with sub-millisecond precision, identical across the processes of one
 * test run (to the clock's resolution): how the coherence window is measured. Within about
 * a millisecond of `Date.now()`.
 */
export function now(): number {
  return monotonicMs() + EPOCH_OFFSET
}
