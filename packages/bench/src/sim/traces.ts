import { seededRandom, shuffle } from './random.js'

/** A request trace: key ids in request order, and how many distinct ids it may use. */
export interface Trace {
  readonly name: string
  readonly requests: Int32Array
  /** Ids are in [0, idSpace). */
  readonly idSpace: number
}

/**
 * Draws Zipf-distributed ranks over `keys` keys (rank r has weight 1 / r^alpha) by
 * inverting the cumulative distribution with a binary search.
 */
export function zipfSampler(keys: number, alpha: number, random: () => number): () => number {
  const cumulative = new Float64Array(keys)
  let total = 0
  for (let rank = 0; rank < keys; rank++) {
    total += 1 / (rank + 1) ** alpha
    cumulative[rank] = total
  }
  return () => {
    const target = random() * total
    let low = 0
    let high = keys - 1
    while (low < high) {
      const middle = (low + high) >>> 1
      if ((cumulative[middle] as number) < target) low = middle + 1
      else high = middle
    }
    return low
  }
}

/** `length` Zipf(alpha) requests over `keys` keys, popularity scattered over the ids. */
export function zipfTrace(keys: number, length: number, alpha: number, seed: number): Trace {
  const random = seededRandom(seed)
  const sample = zipfSampler(keys, alpha, random)
  const idOfRank = shuffle(
    Int32Array.from({ length: keys }, (_, index) => index),
    random,
  )
  const requests = new Int32Array(length)
  for (let index = 0; index < length; index++) requests[index] = idOfRank[sample()] as number
  return { name: `zipf ${alpha.toFixed(1)}`, requests, idSpace: keys }
}

/**
 * Zipf(alpha) requests whose popularity order is reshuffled `phases` times: the hot set
 * of one phase is mostly cold in the next, as when yesterday's news gives way to
 * today's. It shows how fast a policy forgets.
 */
export function shiftingZipfTrace(
  keys: number,
  length: number,
  alpha: number,
  phases: number,
  seed: number,
): Trace {
  const random = seededRandom(seed)
  const sample = zipfSampler(keys, alpha, random)
  const idOfRank = Int32Array.from({ length: keys }, (_, index) => index)
  const requests = new Int32Array(length)
  const phaseLength = Math.ceil(length / phases)
  for (let index = 0; index < length; index++) {
    if (index % phaseLength === 0) shuffle(idOfRank, random)
    requests[index] = idOfRank[sample()] as number
  }
  return { name: `shift ${alpha.toFixed(1)}`, requests, idSpace: keys }
}

/** Shape of {@link scanPollutedTrace}. */
export interface ScanShape {
  readonly keys: number
  readonly length: number
  readonly alpha: number
  /** Keys each scan walks: sequential ids, each requested exactly once in the whole trace. */
  readonly scanLength: number
  /** Pure Zipf requests between two scans. */
  readonly quietLength: number
  /** While a scan runs, the share of requests that come from it (the rest stay Zipf). */
  readonly scanShare: number
  readonly seed: number
}

/**
 * A Zipf workload polluted by long sequential scans of one-hit keys, such as a batch
 * job or a crawler walking every row while users keep reading their hot set: quiet
 * stretches of pure Zipf alternate with scans whose keys are interleaved with the
 * Zipf requests. Scan keys can never hit; what the trace measures is how much of the
 * hot set a policy lets them displace.
 */
export function scanPollutedTrace(shape: ScanShape): Trace {
  const { keys, length, alpha, scanLength, quietLength, scanShare, seed } = shape
  const random = seededRandom(seed)
  const sample = zipfSampler(keys, alpha, random)
  const idOfRank = shuffle(
    Int32Array.from({ length: keys }, (_, index) => index),
    random,
  )
  const requests = new Int32Array(length)
  let nextScanId = keys
  let index = 0
  const zipf = () => {
    requests[index++] = idOfRank[sample()] as number
  }
  while (index < length) {
    for (let step = 0; step < quietLength && index < length; step++) zipf()
    const scanEnd = nextScanId + scanLength
    while (nextScanId < scanEnd && index < length) {
      if (random() < scanShare) requests[index++] = nextScanId++
      else zipf()
    }
  }
  return { name: `scan ${alpha.toFixed(1)}`, requests, idSpace: nextScanId }
}
