/**
 * Quickstart: a slow function behind getOrSet on the embedded memory tier.
 *
 * Run it from the repository root with `bash scripts/demo.sh`.
 */
import { createCache, memory } from '@stack/core'

interface Weather {
  city: string
  celsius: number
  fetchedAt: string
}

let upstreamCalls = 0

/** Stands in for a slow API or database query. */
async function fetchWeather(city: string): Promise<Weather> {
  upstreamCalls++
  await new Promise((resolve) => setTimeout(resolve, 200))
  return { city, celsius: 10 + (city.length % 15), fetchedAt: new Date().toISOString() }
}

const cache = createCache({ tiers: [memory({ maxEntries: 1_000 })], ttl: '30s' })
const weather = (city: string) => cache.getOrSet(`weather:${city}`, () => fetchWeather(city))

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now()
  const result = await work()
  console.log(`${label.padEnd(48)} ${(performance.now() - started).toFixed(1).padStart(7)} ms`)
  return result
}

await timed('cold: first call goes to the slow function', () => weather('Lisbon'))
await timed('warm: same key served from memory', () => weather('Lisbon'))
await timed('100 concurrent callers of a new key', () =>
  Promise.all(Array.from({ length: 100 }, () => weather('Oslo'))),
)
await timed('10,000 sequential warm reads', async () => {
  for (let i = 0; i < 10_000; i++) await weather(i % 2 === 0 ? 'Lisbon' : 'Oslo')
})

const stats = cache.stats()
console.log(`\nslow function calls: ${upstreamCalls} (2 cities, 10,102 requests)`)
console.log(
  `hits ${stats.hits}, misses ${stats.misses}, coalesced waits ${stats.coalesced}, loader time ${stats.loadTime.toFixed(0)} ms`,
)
console.log(await cache.get<Weather>('weather:Oslo'))
await cache.close()
