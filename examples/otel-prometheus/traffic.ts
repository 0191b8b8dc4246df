// A made-up workload: a product catalogue read with a skewed key distribution, a loader
// with variable latency that sometimes fails, and a remote tier, so every panel of the
// dashboard has something to show.
import type { Cache } from '@stack/core'

const CATALOGUE_SIZE = 5_000

/** A key from a skewed distribution: a few products are read far more than the rest. */
function popularKey(): string {
  const rank = Math.floor(CATALOGUE_SIZE * Math.random() ** 3)
  return `product:${rank}`
}

/** The "database": 5-50 ms per call, 2% failures. */
async function loadProduct(key: string): Promise<{ key: string; price: number }> {
  await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 45))
  if (Math.random() < 0.02) throw new Error('database timeout')
  return { key, price: Math.round(Math.random() * 10_000) / 100 }
}

/** Sends `perTick` reads every 10 ms until `signal` aborts; failed reads are counted, not thrown. */
export async function runTraffic(cache: Cache, signal: AbortSignal, perTick = 20): Promise<void> {
  while (!signal.aborted) {
    const calls: Promise<unknown>[] = Array.from({ length: perTick }, () =>
      cache.getOrSet(popularKey(), ({ key }) => loadProduct(key)).catch(() => undefined),
    )
    if (Math.random() < 0.01) calls.push(cache.delete(popularKey()))
    await Promise.all([...calls, new Promise((resolve) => setTimeout(resolve, 10))])
  }
}
