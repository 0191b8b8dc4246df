import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)
const typeScriptHook = fileURLToPath(new URL('./resolve-ts.js', import.meta.url))

/**
 * Runs the TypeScript file `worker` in one real `node` process per task, all at once, each
 * with its task as JSON in `process.argv[2]`, and resolves the JSON each prints on its last
 * line of output. A worker that fails, or runs over 30 s, rejects the whole run.
 *
 * @example
 * ```ts
 * const reports = await runWorkers<WorkerTask, WorkerReport>(
 *   new URL('./fixtures/worker.ts', import.meta.url),
 *   tasks,
 * )
 * ```
 */
export async function runWorkers<Task, Report>(
  worker: URL,
  tasks: readonly Task[],
): Promise<Report[]> {
  const script = fileURLToPath(worker)
  return Promise.all(
    tasks.map(async (task) => {
      const { stdout } = await run(
        process.execPath,
        ['--import', typeScriptHook, script, JSON.stringify(task)],
        { timeout: 30_000 },
      )
      return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Report
    }),
  )
}

/**
 * How many workers won each of `rounds` rounds of a race, from reports that list the
 * rounds each worker won; a race with exactly one winner per round gives all ones.
 *
 * @example
 * ```ts
 * expect(winnersPerRound(reports, 50)).toEqual(Array.from({ length: 50 }, () => 1))
 * ```
 */
export function winnersPerRound(
  reports: readonly { readonly won: readonly number[] }[],
  rounds: number,
): number[] {
  const winners = Array.from({ length: rounds }, () => 0)
  for (const report of reports) {
    for (const round of report.won) winners[round] = (winners[round] ?? 0) + 1
  }
  return winners
}
