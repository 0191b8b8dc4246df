import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { closeAll, startWorkers, type WorkerProcess } from '../src/driver.ts'
import { percentile } from '../src/percentiles.ts'
import type { Backend } from '../src/protocol.ts'

/**
 * Coherent memory tiers: 4 processes share one remote tier and a bus. In each round one
 * process changes a key that the other 3 hold in their memory tiers (set, delete, tag
 * invalidation, namespace clear, in turn); each of the 3 notes when its memory tier stops
 * serving the old value. The window of a round is the last of those 3 moments minus the
 * moment the writer's call resolved (0 when every reader had already dropped the value).
 */
const UPDATES = 1_000
const PROCESSES = 4
const KINDS = ['set', 'delete', 'invalidateTags', 'clear'] as const
type Kind = (typeof KINDS)[number]

const urls: Record<Backend, string> = {
  redis: inject('redisUrl'),
  postgres: inject('postgresUrl'),
}

for (const backend of ['redis', 'postgres'] as const) {
  describe.skipIf(urls[backend] === '')(`memory tiers over the ${backend} bus`, () => {
    let workers: WorkerProcess[] = []

    beforeAll(async () => {
      workers = await startWorkers(PROCESSES, {
        scope: `coherence_${backend}`,
        tiers: [backend],
        bus: backend,
        ...(backend === 'redis' ? { redisUrl: urls.redis } : { postgresUrl: urls.postgres }),
        ttlMs: 600_000,
      })
    })
    afterAll(() => closeAll(workers))

    test(`${UPDATES} updates from ${PROCESSES} processes reach every other memory tier`, async () => {
      const windows = new Map<Kind, number[]>(KINDS.map((kind) => [kind, []]))
      const ref = { key: 'item', namespace: 'ns' }
      let published = 0
      for (let round = 0; round < UPDATES; round++) {
        const kind = KINDS[round % KINDS.length] as Kind
        // Each process writes 4 rounds in a row, one of each kind.
        const writerIndex = Math.floor(round / KINDS.length) % PROCESSES
        const writer = workers[writerIndex] as WorkerProcess
        const seeder = workers[(writerIndex + 1) % PROCESSES] as WorkerProcess
        const readers = workers.filter((worker) => worker !== writer)
        const old = `old:${round}`
        const tag = `round:${round}`

        // Every reader holds `old` in its memory tier, and has handled every bus message.
        await seeder.call('set', { ...ref, value: old, tags: [tag] })
        published++
        await Promise.all(
          workers.map((worker) => worker.call('awaitBus', { count: published, timeoutMs: 5_000 })),
        )
        expect(await Promise.all(readers.map((reader) => reader.call('get', ref)))).toEqual(
          readers.map(() => old),
        )
        const armed = await Promise.all(
          readers.map((reader) => reader.call('watch', { ...ref, old })),
        )

        const { resolvedAt } = await change(writer, kind, ref, round, tag)
        published++

        const changes = await Promise.all(
          readers.map((reader, i) =>
            reader.call('awaitWatch', { watch: armed[i]?.watch ?? -1, timeoutMs: 5_000 }),
          ),
        )
        const last = Math.max(...changes.map((c) => c.changedAt))
        windows.get(kind)?.push(Math.max(0, last - resolvedAt))
      }

      const all = [...windows.values()].flat()
      expect(all).toHaveLength(UPDATES)
      report(backend, all, windows)
    })
  })
}

function change(
  writer: WorkerProcess,
  kind: Kind,
  ref: { key: string; namespace: string },
  round: number,
  tag: string,
): Promise<{ resolvedAt: number }> {
  switch (kind) {
    case 'set':
      return writer.call('set', { ...ref, value: `new:${round}` })
    case 'delete':
      return writer.call('delete', ref)
    case 'invalidateTags':
      return writer.call('invalidateTags', { tags: [tag], namespace: ref.namespace })
    case 'clear':
      return writer.call('clear', { namespace: ref.namespace })
  }
}

function report(backend: Backend, all: number[], windows: Map<Kind, number[]>): void {
  const figures = (values: number[]) =>
    `p50 ${percentile(values, 50).toFixed(2)} ms, p99 ${percentile(values, 99).toFixed(2)} ms, max ${Math.max(...values).toFixed(2)} ms`
  const zero = all.filter((window) => window === 0).length
  const lines = [
    `[coherence] ${backend} bus, ${all.length} updates x ${PROCESSES - 1} other processes: ${figures(all)} (${zero} already coherent when the call resolved)`,
    ...[...windows].map(([kind, values]) => `[coherence]   ${kind.padEnd(14)} ${figures(values)}`),
  ]
  console.log(lines.join('\n'))
}
