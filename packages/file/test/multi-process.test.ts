import { readdir } from 'node:fs/promises'
import { removeDir, tempDir } from '@stack/test-servers/process'
import { runWorkers, winnersPerRound } from '@stack/test-servers/workers'
import { afterAll, describe, expect, test } from 'vitest'
import { fileStore } from '../src/index.js'
import { checkedValue, isIntact } from './fixtures/checked-value.js'
import { decodesToOneOf, dedupPayloads, envelopeFor } from './fixtures/envelopes.js'
import type { WorkerReport, WorkerTask } from './fixtures/worker.js'

const WORKERS = 4
const WORKER = new URL('./fixtures/worker.ts', import.meta.url)
const directories: string[] = []
afterAll(() => {
  for (const directory of directories) removeDir(directory)
})

function tasks(mode: WorkerTask['mode'], iterations: number, keys: number): WorkerTask[] {
  const directory = tempDir(`file-${mode}`)
  directories.push(directory)
  const startAt = Date.now() + 2000 // past every child's start-up, even on a busy machine
  return Array.from({ length: WORKERS }, (_, writer) => ({
    directory,
    writer,
    startAt,
    mode,
    iterations,
    keys,
  }))
}

describe('file store shared by several processes', () => {
  test('4 processes writing and reading the same keys never see a torn value', async () => {
    const work = tasks('hammer', 300, 4)
    const directory = work[0]?.directory as string
    const store = fileStore({ directory })
    for (let key = 0; key < 4; key++) {
      await store.set(`shared-${key}`, checkedValue(99, key), Infinity)
    }

    const reports = await runWorkers<WorkerTask, WorkerReport>(WORKER, work)

    for (const report of reports) {
      expect(report.torn, 'reads that returned a torn value').toBe(0)
      expect(report.hits, 'reads that found no value (a torn file read as a miss)').toBe(
        report.reads,
      )
    }
    for (let key = 0; key < 4; key++) {
      const value = await store.get(`shared-${key}`)
      expect(value && isIntact(value), `shared-${key} after the run`).toBe(true)
    }
    // Every temporary file was renamed or removed: only the 4 entry files remain.
    const files = await readdir(directory, { recursive: true, withFileTypes: true })
    const names = files.filter((file) => file.isFile()).map((file) => file.name)
    expect(names).toHaveLength(4)
    for (const name of names) expect(name).toMatch(/^[0-9a-f]{64}$/)
    await store.close()
  }, 40_000)

  test('4 processes rewriting envelopes of two payloads under dedupeWrites, purging meanwhile, never see a torn or mixed value', async () => {
    const work = tasks('dedup', 150, 2)
    const directory = work[0]?.directory as string
    const store = fileStore({ directory, dedupeWrites: true })
    for (let key = 0; key < 2; key++) {
      await store.set(`shared-${key}`, envelopeFor(`shared-${key}`, dedupPayloads[0], 1), Infinity)
    }

    const reports = await runWorkers<WorkerTask, WorkerReport>(WORKER, work)

    for (const report of reports) {
      expect(report.torn, 'reads that did not decode to one of the payloads').toBe(0)
      expect(report.hits, 'reads that found no value').toBe(report.reads)
    }
    await store.purgeExpired()
    for (let key = 0; key < 2; key++) {
      const value = await store.get(`shared-${key}`)
      expect(value && decodesToOneOf(`shared-${key}`, value), `shared-${key} after the run`).toBe(
        true,
      )
    }
    // After a purge: the 2 entry files and the one payload file each of them names.
    const files = await readdir(directory, { recursive: true, withFileTypes: true })
    const names = files.filter((file) => file.isFile()).map((file) => file.name)
    expect(names.filter((name) => name.endsWith('.payload'))).toHaveLength(2)
    expect(names).toHaveLength(4)
    await store.close()
  }, 60_000)

  test('4 processes racing add on the same keys: exactly one winner per key', async () => {
    const rounds = 50
    const work = tasks('add', rounds, 0)
    const directory = work[0]?.directory as string
    // Half of the keys start out holding an expired entry, which add must replace once.
    const seed = fileStore({ directory })
    for (let round = 0; round < rounds; round += 2) {
      await seed.set(`lock-${round}`, new Uint8Array([1]), (work[0]?.startAt ?? 0) - 1)
    }
    await seed.close()

    const reports = await runWorkers<WorkerTask, WorkerReport>(WORKER, work)

    expect(winnersPerRound(reports, rounds)).toEqual(Array.from({ length: rounds }, () => 1))
  }, 40_000)
})
