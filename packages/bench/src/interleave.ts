/**
 * Measures async cases in interleaved rounds: each round runs every case once, in a new
 * random order. On a shared machine, load comes and goes over seconds; a runner that
 * measures one case after the other (as mitata does) lets a busy spell land on one case
 * and not its rival, while interleaving spreads it over all of them alike.
 */

/** One measured call. */
export interface Case {
  readonly name: string
  readonly run: () => Promise<unknown>
}

/** Per case: the median, 90th percentile and fastest time of one call, in ns. */
export interface Timing {
  readonly p50: number
  readonly p90: number
  readonly min: number
  readonly samples: number
}

/**
 * Runs `warmup` unmeasured rounds, then measured rounds until `budgetMs` has passed (and
 * at least `minRounds`), and returns each case's {@link Timing}.
 */
export async function interleave(
  cases: readonly Case[],
  options: { warmup?: number; minRounds?: number; budgetMs?: number } = {},
): Promise<Map<string, Timing>> {
  const { warmup = 20, minRounds = 30, budgetMs = 3_000 } = options
  const samples = new Map<string, number[]>(cases.map((one) => [one.name, []]))
  const order = [...cases]
  for (let round = 0; round < warmup; round++) for (const one of order) await one.run()
  const end = performance.now() + budgetMs
  for (let round = 0; round < minRounds || performance.now() < end; round++) {
    shuffle(order)
    for (const one of order) {
      const start = process.hrtime.bigint()
      await one.run()
      samples.get(one.name)?.push(Number(process.hrtime.bigint() - start))
    }
  }
  return new Map(
    [...samples].map(([name, times]) => {
      times.sort((a, b) => a - b)
      const at = (q: number) =>
        times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? NaN
      return [name, { p50: at(0.5), p90: at(0.9), min: times[0] ?? NaN, samples: times.length }]
    }),
  )
}

function shuffle<T>(items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[items[i], items[j]] = [items[j] as T, items[i] as T]
  }
}
