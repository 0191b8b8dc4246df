import type { Trace } from './traces.js'

/** Removes and returns the least recently used id of an insertion-ordered set. */
function popOldest(list: Set<number>): number {
  const oldest = list.values().next().value as number
  list.delete(oldest)
  return oldest
}

/**
 * Hits of ARC (Megiddo and Modha, FAST 2003) on `trace` with room for `capacity` keys:
 * recency (T1) and frequency (T2) lists whose split `p` adapts on hits in the ghost
 * lists B1 and B2. A reference for the benchmarks, written from the paper; insertion-
 * ordered sets serve as LRU lists (re-inserting moves an id to the MRU end).
 */
export function arcHits(trace: Trace, capacity: number): number {
  const t1 = new Set<number>()
  const t2 = new Set<number>()
  const b1 = new Set<number>()
  const b2 = new Set<number>()
  let p = 0
  let hits = 0
  const replace = (inB2: boolean) => {
    if (t1.size > 0 && (t1.size > p || (inB2 && t1.size === p))) b1.add(popOldest(t1))
    else if (t2.size > 0) b2.add(popOldest(t2))
    else b1.add(popOldest(t1))
  }
  for (const id of trace.requests) {
    if (t1.delete(id) || t2.has(id)) {
      hits++
      t2.delete(id)
      t2.add(id)
    } else if (b1.has(id)) {
      p = Math.min(capacity, p + Math.max(b2.size / b1.size, 1))
      replace(false)
      b1.delete(id)
      t2.add(id)
    } else if (b2.has(id)) {
      p = Math.max(0, p - Math.max(b1.size / b2.size, 1))
      replace(true)
      b2.delete(id)
      t2.add(id)
    } else {
      const l1 = t1.size + b1.size
      const total = l1 + t2.size + b2.size
      if (l1 === capacity) {
        if (t1.size < capacity) {
          popOldest(b1)
          replace(false)
        } else {
          popOldest(t1)
        }
      } else if (total >= capacity) {
        if (total === 2 * capacity) popOldest(b2)
        replace(false)
      }
      t1.add(id)
    }
  }
  return hits
}
