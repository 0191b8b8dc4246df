/**
 * The memcached store's single-key `get` against raw memjs, in interleaved rounds (see
 * `interleave.ts`) on a `memcached` started by the test harness on loopback:
 *
 * - memjs `get`: the floor, one request, one write, one reply;
 * - two memjs `get`s in parallel: what a store read cost when it sent the item's GET and
 *   the clear-log version's GET as two requests (two writes, two replies);
 * - `memcachedStore().get`, which sends both in one write;
 *
 * each one at a time and `n` concurrent (10, 100), then `getMany` of 100 against 100
 * parallel memjs gets. Times are medians of one call.
 *
 * Run: `pnpm --filter @stack/bench build && node packages/bench/dist/memcached-get.js`.
 * On a machine with idle cores, a round trip on loopback also pays for waking the other
 * core, and that cost comes and goes with other load; `taskset -c 0 node ...` (node and
 * memcached on one core) gives steadier ratios. Skips without memcached.
 */
import { memcachedStore } from '@stack/memcached'
import { startMemcached } from '@stack/test-servers/memcached'
import memjs from 'memjs'
import { type Case, interleave } from './interleave.js'
import { formatNs } from './report.js'

const KEYS = 1_000
const BUDGET_MS = Number(process.env.BENCH_BUDGET_MS ?? 3_000)
const keys = Array.from({ length: KEYS }, (_, index) => `user:${index}:profile`)
const HOUR_MS = 3_600_000

// One worker thread, so both clients' connections are served by the same one (see remote-concurrency.ts).
const server = await startMemcached({ extraArgs: ['-t', '1'] })
if (!server) {
  console.log('memcached not found: skipping the memcached get benchmark')
  process.exit(0)
}
const raw = memjs.Client.create(server.address, { logger: { log: () => undefined } })
const store = memcachedStore({ client: server.address, namespace: 'bench' })
for (const [id, key] of keys.entries()) {
  const value = Buffer.from(JSON.stringify({ id }))
  await raw.set(`raw:${key}`, value, { expires: HOUR_MS / 1000 })
  await store.set(key, value, Date.now() + HOUR_MS)
}
await raw.set('raw:version', Buffer.alloc(8), { expires: HOUR_MS / 1000 })

/** Consecutive windows of `n` keys, cycled so each call reads keys the last one did not. */
function windows(n: number): () => readonly string[] {
  let start = 0
  return () => {
    start = start + n >= KEYS ? 0 : start + n
    return keys.slice(start, start + n)
  }
}

function each(name: string, n: number, read: (key: string) => Promise<unknown>): Case {
  const next = windows(n)
  return { name, run: () => Promise.all(next().map(read)) }
}

const rawGet = (key: string) => raw.get(`raw:${key}`)
const rawPair = (key: string) => Promise.all([raw.get(`raw:${key}`), raw.get('raw:version')])

for (const n of [1, 10, 100]) {
  const timings = await interleave(
    [
      each('memjs get', n, rawGet),
      each('2 memjs gets in parallel', n, rawPair),
      each('store.get', n, (key) => store.get(key)),
    ],
    { budgetMs: BUDGET_MS },
  )
  printTable(
    n === 1 ? 'one get at a time (p50)' : `${n} concurrent gets (p50 of the call)`,
    timings,
  )
}

const rawBatch = windows(100)
const storeBatch = windows(100)
printTable(
  'getMany of 100 against 100 memjs gets in parallel (p50)',
  await interleave(
    [
      { name: 'memjs get', run: () => Promise.all(rawBatch().map(rawGet)) },
      { name: 'store.getMany', run: () => store.getMany(storeBatch()) },
    ],
    { budgetMs: BUDGET_MS },
  ),
)

raw.close()
await store.close()
await server.stop()

function printTable(title: string, timings: Map<string, { p50: number }>): void {
  const floor = timings.get('memjs get')?.p50 ?? Number.NaN
  console.log(`\n${title}\n| call | p50 | × memjs get |\n| --- | ---: | ---: |`)
  for (const [name, { p50 }] of timings) {
    console.log(`| ${name} | ${formatNs(p50)} | ${(p50 / floor).toFixed(2)}× |`)
  }
}
