/**
 * What `TierGuard.run` adds to every remote call, in one process and run: a store call that
 * answers at once (an already-resolved promise), awaited directly and through a guard
 *
 * - with the breaker and no timeout (no timer: the cheapest guarded path)
 * - with the breaker and the default 1 s timeout (one unref'd timer per call)
 * - with neither (`breaker: false`, `timeout: Infinity`: counting only)
 *
 * and the fail-fast cost of a call refused by an open circuit. A real store call on
 * loopback costs tens of µs, so the overhead is read against that, not against zero.
 *
 * Run: `pnpm --filter @stack/bench build && node packages/bench/dist/tier-guard.js`.
 * Prints mitata's report, then each guard's p50 overhead over the direct call.
 */
// with the cache); then drop this line, and rebuild core before running the bench.
import { TierGuard } from '@stack/core'
import { bench, do_not_optimize, group, run } from 'mitata'
import { formatNs, statistic } from './report.js'

const value = new Uint8Array(256)
const storeGet = (): Promise<Uint8Array> => Promise.resolve(value)
const down = (): Promise<never> => Promise.reject(new Error('connect ECONNREFUSED'))

const guards = {
  'guard (breaker, no timeout)': new TierGuard('bench', { timeout: Number.POSITIVE_INFINITY }),
  'guard (breaker, 1 s timeout)': new TierGuard('bench', { timeout: 1_000 }),
  'guard (no breaker, no timeout)': new TierGuard('bench', {
    timeout: Number.POSITIVE_INFINITY,
    breaker: false,
  }),
}

const open = new TierGuard('bench', { breaker: { failureThreshold: 1, cooldown: 3_600_000 } })
await open.run('get', 'k', down).catch(() => undefined)

group('one store get that answers at once', () => {
  bench('direct call', async () => do_not_optimize(await storeGet()))
  for (const [name, guard] of Object.entries(guards)) {
    bench(name, async () => do_not_optimize(await guard.run('get', 'user:1', storeGet)))
  }
})

group('refused by an open circuit', () => {
  bench('open circuit (fail fast)', async () =>
    do_not_optimize(await open.run('get', 'user:1', storeGet).catch((error: unknown) => error)),
  )
})

const { benchmarks } = await run()
const p50s = statistic(benchmarks, 'p50')
const direct = p50s.get('direct call') ?? Number.NaN
// p50 rather than the mean: on a shared machine a few scheduling stalls skew the mean.
console.log('\noverhead over the direct call, by p50')
console.log('| benchmark | p50 | overhead | × direct |\n| --- | ---: | ---: | ---: |')
for (const [name, p50] of p50s) {
  console.log(
    `| ${name} | ${formatNs(p50)} | ${formatNs(p50 - direct)} | ${(p50 / direct).toFixed(2)}× |`,
  )
}
