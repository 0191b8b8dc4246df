import type { EvictionReason } from '../../src/index.js'

/** A hand-driven clock starting at a fixed epoch time. */
export function fakeClock(start = 1_700_000_000_000) {
  let now = start
  let calls = 0
  return {
    now: () => {
      calls++
      return now
    },
    advance(ms: number) {
      now += ms
    },
    get calls() {
      return calls
    },
  }
}

/** An `onEvict` that records every call. */
export function evictions<V>() {
  const calls: [key: string, value: V, reason: EvictionReason][] = []
  return {
    calls,
    listener: (key: string, value: V, reason: EvictionReason) => {
      calls.push([key, value, reason])
    },
  }
}
