import { join } from 'node:path'
import { removeDir, tempDir } from '@stack/test-servers/process'
import { runWorkers, winnersPerRound } from '@stack/test-servers/workers'
import { afterAll, describe, expect, test } from 'vitest'
import { sqliteStore } from '../src/index.js'
import type { WorkerReport, WorkerTask } from './fixtures/worker.js'

const WORKERS = 4
const WORKER = new URL('./fixtures/worker.ts', import.meta.url)
const directory = tempDir('sqlite-processes')
afterAll(() => removeDir(directory))

function tasks(mode: WorkerTask['mode'], iterations: number): WorkerTask[] {
  const path = join(directory, `${mode}.db`) // a fresh file: the workers race to create it
  const startAt = Date.now() + 2000 // past every child's start-up, even on a busy machine
  return Array.from({ length: WORKERS }, (_, worker) => ({
    path,
    worker,
    startAt,
    mode,
    iterations,
  }))
}

describe('sqlite store shared by several processes', () => {
  test('4 processes writing at once never fail with SQLITE_BUSY', async () => {
    const work = tasks('write', 150)
    const reports = await runWorkers<WorkerTask, WorkerReport>(WORKER, work)
    expect(reports.map((report) => report.writes)).toEqual([3300, 3300, 3300, 3300])

    const store = sqliteStore({ path: work[0]?.path as string })
    const values = await store.getMany(Array.from({ length: 8 }, (_, index) => `shared-${index}`))
    for (const value of values) expect([0, 1, 2, 3]).toContain(value?.[0])
    await store.close()
  }, 40_000)

  test('4 processes racing add on the same keys: exactly one winner per key', async () => {
    const rounds = 50
    const work = tasks('add', rounds)
    // Half of the keys start out holding an entry that expires as the race begins.
    const seed = sqliteStore({ path: work[0]?.path as string })
    for (let round = 0; round < rounds; round += 2) {
      await seed.set(`lock-${round}`, new Uint8Array([9]), (work[0]?.startAt ?? 0) - 1)
    }
    await seed.close()

    const reports = await runWorkers<WorkerTask, WorkerReport>(WORKER, work)

    expect(winnersPerRound(reports, rounds)).toEqual(Array.from({ length: rounds }, () => 1))
  }, 40_000)
})
