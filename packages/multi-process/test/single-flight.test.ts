import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { closeAll, type RecordedEvent, startWorkers, type WorkerProcess } from '../src/driver.ts'
import type { Backend } from '../src/protocol.ts'

/**
 * One loader across processes: `distributedLock` takes a lock with the shared tier's
 * atomic `add`; the other processes wait for the holder's value.
 */
const PROCESSES = 4
const CALLERS = 250
const LOADER_MS = 200
const LOCK_TIMEOUT_MS = 1_000
const RETRY_MS = 50
/** Scheduling slack on 2 shared cores: event-loop delays, IPC, the backend's round trips. */
const TOLERANCE_MS = 500

const urls: Record<Backend, string> = {
  redis: inject('redisUrl'),
  postgres: inject('postgresUrl'),
}

for (const backend of ['redis', 'postgres'] as const) {
  describe.skipIf(urls[backend] === '')(`distributed lock over ${backend}`, () => {
    let workers: WorkerProcess[] = []

    beforeAll(async () => {
      workers = await startWorkers(PROCESSES, {
        scope: `lock_${backend}`,
        tiers: [backend],
        bus: backend,
        ...(backend === 'redis' ? { redisUrl: urls.redis } : { postgresUrl: urls.postgres }),
        distributedLock: { timeoutMs: LOCK_TIMEOUT_MS, retryIntervalMs: RETRY_MS },
      })
    })
    afterAll(() => closeAll(workers))

    test(`${PROCESSES} processes x ${CALLERS} concurrent getOrSet of a cold key call the loader once`, async () => {
      const calls = loaderCalls(workers, 'cold')
      const bursts = await Promise.all(
        workers.map((worker) =>
          worker.call('burst', {
            key: 'cold',
            count: CALLERS,
            loader: { kind: 'counter', delayMs: LOADER_MS },
          }),
        ),
      )
      const values = bursts.flatMap((burst) => burst.values)
      expect(bursts.flatMap((burst) => burst.errors)).toEqual([])
      expect(values).toHaveLength(PROCESSES * CALLERS)
      expect(new Set(values).size).toBe(1)
      expect(calls).toHaveLength(1)
      const stats = await Promise.all(workers.map((worker) => worker.call('stats', {})))
      console.log(
        `[single-flight] ${backend}: ${values.length} getOrSet calls in ${PROCESSES} processes, ` +
          `${calls.length} loader call; slowest caller ${Math.max(...bursts.map((b) => b.maxMs)).toFixed(0)} ms ` +
          `(loader ${LOADER_MS} ms); lock waits per process ${stats.map((s) => s.cache.lockWaits).join('/')}`,
      )
    })

    test('a lock holder killed with SIGKILL: the others wait at most the lock timeout, then one loads', async () => {
      const calls = loaderCalls(workers, 'crash')
      let holder: WorkerProcess | undefined
      let killed: Promise<void> | undefined
      for (const worker of workers) {
        worker.on((event) => {
          if (holder !== undefined || event.event !== 'loader-call' || event.key !== 'crash') return
          holder = worker
          killed = worker.kill()
        })
      }
      const bursts = await Promise.allSettled(
        workers.map((worker) =>
          worker.call('burst', {
            key: 'crash',
            count: 50,
            loader: { kind: 'counter', delayMs: LOADER_MS },
          }),
        ),
      )
      await killed
      expect(holder).toBeDefined()
      const survivors = bursts.flatMap((result, i) =>
        workers[i] === holder ? [] : result.status === 'fulfilled' ? [result.value] : [],
      )
      expect(survivors).toHaveLength(PROCESSES - 1)
      expect(survivors.flatMap((burst) => burst.errors)).toEqual([])
      const lockedAt = (calls[0] as RecordedEvent).at
      const finishedAt = Math.max(...survivors.map((burst) => burst.startedAt + burst.maxMs))
      const delay = finishedAt - lockedAt
      // The holder took the lock at `lockedAt`; it expires LOCK_TIMEOUT_MS later, then one
      // loader call of LOADER_MS writes the value the others are polling for.
      expect(delay).toBeLessThanOrEqual(LOCK_TIMEOUT_MS + LOADER_MS + RETRY_MS + TOLERANCE_MS)
      // Once the lock expired, exactly one of the waiting processes took it and loaded.
      const after = calls.length - 1
      expect(after).toBe(1)
      console.log(
        `[single-flight] ${backend}: holder ${holder?.name} killed; the ${survivors.length} others ` +
          `got a value ${delay.toFixed(0)} ms after the lock was taken (lock timeout ` +
          `${LOCK_TIMEOUT_MS} ms + loader ${LOADER_MS} ms); loader calls after the crash: ${after}`,
      )
      workers = workers.filter((worker) => worker !== holder)
    })
  })
}

/** The `loader-call` events of `key` from now on, across `workers`, in arrival order. */
function loaderCalls(workers: readonly WorkerProcess[], key: string): RecordedEvent[] {
  const calls: RecordedEvent[] = []
  for (const worker of workers) {
    worker.on((event) => {
      if (event.event === 'loader-call' && event.key === key) calls.push(event)
    })
  }
  return calls
}
