import type { Trace } from './traces.js'

/**
 * Hits of a cache that knows in hindsight which `capacity` keys the trace requests
 * most and holds exactly those (each one's first request is still a miss). On a Zipf
 * trace, whose requests are independent, no online policy beats this in expectation;
 * Belady's optimum beats it only by knowing the exact order of future requests.
 */
export function staticOracleHits(trace: Trace, capacity: number): number {
  const counts = new Int32Array(trace.idSpace)
  for (const id of trace.requests) counts[id] = (counts[id] as number) + 1
  counts.sort().reverse()
  let hits = 0
  for (let rank = 0; rank < capacity && rank < counts.length; rank++) {
    hits += Math.max(0, (counts[rank] as number) - 1)
  }
  return hits
}
