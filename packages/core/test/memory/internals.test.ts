import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { ExpiryHeap } from '../../src/memory/expiry-heap.js'
import { FrequencySketch } from '../../src/memory/frequency-sketch.js'
import { NONE, Slots } from '../../src/memory/slots.js'
import { hashString } from '../../src/memory/string-hash.js'

describe('ExpiryHeap', () => {
  test('always yields the earliest expiry through pushes, removals and reschedules', () => {
    const step = fc.oneof(
      fc.record({ op: fc.constant('push' as const), at: fc.integer({ min: 0, max: 50 }) }),
      fc.record({ op: fc.constant('remove' as const), pick: fc.nat() }),
      fc.record({
        op: fc.constant('reschedule' as const),
        pick: fc.nat(),
        at: fc.integer({ min: 0, max: 50 }),
      }),
    )
    fc.assert(
      fc.property(fc.array(step, { maxLength: 100 }), (steps) => {
        const slots = new Slots<number>(200, false)
        const heap = new ExpiryHeap(slots as Slots<unknown>)
        const live: number[] = []
        for (const action of steps) {
          if (action.op === 'push') {
            const slot = slots.allocate(`k${live.length}`, 0, action.at)
            heap.push(slot)
            live.push(slot)
          } else if (live.length > 0) {
            const slot = live[action.pick % live.length] as number
            if (action.op === 'remove') {
              heap.remove(slot)
              live.splice(live.indexOf(slot), 1)
              slots.release(slot)
              expect(slots.heapIndex[slot]).toBe(NONE)
            } else {
              slots.expiresAt[slot] = action.at
              heap.reschedule(slot)
            }
          }
          expect(heap.size).toBe(live.length)
          const earliest = Math.min(...live.map((slot) => slots.expiresAt[slot] as number))
          const first = heap.peek()
          expect(first === NONE ? Number.POSITIVE_INFINITY : slots.expiresAt[first]).toBe(earliest)
        }
      }),
    )
  })
})

describe('FrequencySketch', () => {
  test('counts, saturates at 15, and halves after its sample period', () => {
    const sketch = new FrequencySketch(16)
    const hot = hashString('hot')
    const cold = hashString('cold')
    for (let index = 0; index < 5; index++) sketch.increment(hot)
    expect(sketch.frequency(hot)).toBe(5)
    expect(sketch.frequency(cold)).toBe(0)
    for (let index = 0; index < 9; index++) expect(sketch.increment(hot)).toBe(false)
    expect(sketch.increment(hot)).toBe(true)
    expect(sketch.frequency(hot)).toBe(15)
    expect(sketch.increment(hot)).toBe(true)
    // 10 * 16 = 160 increments per period; saturated increments do not count.
    for (let index = 0; index < 160; index++) sketch.increment(hashString(`filler${index}`))
    expect(sketch.frequency(hot)).toBeLessThanOrEqual(8)
    expect(sketch.epoch).toBe(1)
    sketch.clear()
    expect(sketch.epoch).toBe(2)
    expect(sketch.frequency(hot)).toBe(0)
  })
})

describe('hashString', () => {
  test('is deterministic, a 30-bit non-negative integer, and spreads similar keys', () => {
    expect(hashString('user:1')).toBe(hashString('user:1'))
    const hashes = new Set(
      Array.from({ length: 10_000 }, (_, index) => hashString(`user:${index}`)),
    )
    expect(hashes.size).toBeGreaterThan(9_990)
    for (const hash of hashes)
      expect(hash >= 0 && hash < 2 ** 30 && Number.isInteger(hash)).toBe(true)
  })
})
