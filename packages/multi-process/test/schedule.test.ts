import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { now } from '../src/clock.ts'
import { closeAll, type RecordedEvent, startWorkers, type WorkerProcess } from '../src/driver.ts'

/**
 * Scheduled refresh: 4 processes run `cache.schedule` on the same key over a shared Redis
 * (one claim per period, with `add`), and `cache.reader` pulls the key into every memory
 * tier. No bus: the readers alone must bring the new value.
 */
const PROCESSES = 4
const PERIOD_MS = 400
const READER_MS = 200
const POLL_MS = 5
const RUN_MS = 2_600
/** How long before a loader run its claim may have been made (one Redis round trip, slack). */
const CLAIM_SLACK_MS = 50
/** Event-loop delays on 2 shared cores, the write after the loader, the local poll. */
const TOLERANCE_MS = 100

const redisUrl = inject('redisUrl')

describe.skipIf(redisUrl === '')('scheduled refresh across processes', () => {
  let workers: WorkerProcess[] = []

  beforeAll(async () => {
    workers = await startWorkers(PROCESSES, { scope: 'schedule', tiers: ['redis'], redisUrl })
  })
  afterAll(() => closeAll(workers))

  test(`${PROCESSES} schedules of one key: one refresh per period, readers follow within one reader period`, async () => {
    const events: RecordedEvent[] = []
    for (const worker of workers) worker.on((event) => events.push(event))
    await Promise.all(
      workers.map((worker) =>
        worker.call('read', { key: 'rates', everyMs: READER_MS, pollMs: POLL_MS }),
      ),
    )
    const startedAt = now()
    await Promise.all(
      workers.map((worker) => worker.call('schedule', { key: 'rates', everyMs: PERIOD_MS })),
    )
    await sleep(RUN_MS)
    await Promise.all(workers.map((worker) => worker.call('stopBackground', {})))
    const stoppedAt = now()

    const refreshes = events.filter((event) => event.event === 'refresh')
    const periods = assignPeriods(refreshes.map((refresh) => refresh.at))
    const expectedPeriods = Math.floor((stoppedAt - startedAt) / PERIOD_MS)
    expect(periods, 'two refreshes fell in one period').toBeDefined()
    expect(refreshes.length).toBeGreaterThanOrEqual(expectedPeriods - 1)
    // Claims are per period of the wall clock, not of the test: a run of n periods' length
    // starts and ends inside two partial periods, so it can hold n + 2 claims at most.
    expect(refreshes.length).toBeLessThanOrEqual(expectedPeriods + 2)

    const lags = readerLags(refreshes, events, stoppedAt)
    expect(lags.length).toBeGreaterThan(0)
    expect(Math.max(...lags)).toBeLessThanOrEqual(READER_MS + TOLERANCE_MS)
    const refreshers = new Set(refreshes.map((refresh) => refresh.worker))
    console.log(
      `[schedule] ${refreshes.length} refreshes in ${(stoppedAt - startedAt).toFixed(0)} ms at a ${PERIOD_MS} ms period ` +
        `(run by ${refreshers.size} of ${PROCESSES} processes); readers saw each new value after at most ` +
        `${Math.max(...lags).toFixed(0)} ms (reader period ${READER_MS} ms, ${lags.length} observations)`,
    )
  })
})

/**
 * Gives each refresh (sorted loader start times) a distinct period, where a refresh's
 * claim happened at most CLAIM_SLACK_MS before its loader started; `undefined` when
 * impossible, i.e. two refreshes ran in one period.
 */
function assignPeriods(times: readonly number[]): number[] | undefined {
  const periods: number[] = []
  let last = Number.NEGATIVE_INFINITY
  for (const at of [...times].sort((a, b) => a - b)) {
    const earliest = Math.floor((at - CLAIM_SLACK_MS) / PERIOD_MS)
    const latest = Math.floor(at / PERIOD_MS)
    const period = Math.max(earliest, last + 1)
    if (period > latest) return undefined
    periods.push(period)
    last = period
  }
  return periods
}

/**
 * For each refresh and each process that did not run it: how long until that process's
 * memory tier served the refreshed value or a newer one. Refreshes too close to the end
 * of the run to be observed are left out.
 */
function readerLags(
  refreshes: readonly RecordedEvent[],
  events: readonly RecordedEvent[],
  stoppedAt: number,
): number[] {
  const order = [...refreshes].sort((a, b) => a.at - b.at)
  const rank = new Map(order.map((refresh, i) => [(refresh as { value: string }).value, i]))
  const lags: number[] = []
  order.forEach((refresh, i) => {
    if (refresh.at > stoppedAt - READER_MS - TOLERANCE_MS) return
    const others = new Set(events.map((event) => event.worker))
    others.delete(refresh.worker)
    for (const worker of others) {
      const seen = events.find(
        (event) =>
          event.event === 'seen' &&
          event.worker === worker &&
          (rank.get(event.value as string) ?? -1) >= i,
      )
      lags.push(seen === undefined ? Number.POSITIVE_INFINITY : seen.at - refresh.at)
    }
  })
  return lags
}
