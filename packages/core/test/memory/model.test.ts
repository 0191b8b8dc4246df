import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { memory } from '../../src/index.js'
import { fakeClock } from './helpers.js'

/** The simplest correct LRU or FIFO: a Map keeps insertion order; LRU re-inserts on use. */
class ReferenceCache {
  readonly #entries = new Map<string, number>()
  constructor(
    readonly policy: 'lru' | 'fifo',
    readonly maxEntries: number,
  ) {}

  get(key: string): number | undefined {
    const value = this.#entries.get(key)
    if (value !== undefined && this.policy === 'lru') {
      this.#entries.delete(key)
      this.#entries.set(key, value)
    }
    return value
  }

  peek(key: string): number | undefined {
    return this.#entries.get(key)
  }

  set(key: string, value: number): void {
    if (this.policy === 'lru' || !this.#entries.has(key)) this.#entries.delete(key)
    this.#entries.set(key, value)
    if (this.#entries.size > this.maxEntries) {
      this.#entries.delete(this.#entries.keys().next().value as string)
    }
  }

  delete(key: string): boolean {
    return this.#entries.delete(key)
  }

  keys(): string[] {
    return [...this.#entries.keys()].sort()
  }
}

const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h')
const operation = fc.oneof(
  fc.record({ op: fc.constant('get' as const), key }),
  fc.record({ op: fc.constant('peek' as const), key }),
  fc.record({ op: fc.constant('set' as const), key, value: fc.integer() }),
  fc.record({ op: fc.constant('delete' as const), key }),
)

describe.each(['lru', 'fifo'] as const)('%s against a reference model', (policy) => {
  test('every read and the set of keys match after each operation', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.array(operation, { maxLength: 200 }),
        (maxEntries, operations) => {
          const tier = memory<number>({ policy, maxEntries })
          const reference = new ReferenceCache(policy, maxEntries)
          for (const step of operations) {
            switch (step.op) {
              case 'get':
                expect(tier.get(step.key)).toBe(reference.get(step.key))
                break
              case 'peek':
                expect(tier.peek(step.key)).toBe(reference.peek(step.key))
                break
              case 'set':
                tier.set(step.key, step.value)
                reference.set(step.key, step.value)
                break
              case 'delete':
                expect(tier.delete(step.key)).toBe(reference.delete(step.key))
                break
            }
            expect([...tier.keys()].sort()).toEqual(reference.keys())
            expect(tier.size).toBe(reference.keys().length)
          }
        },
      ),
      { numRuns: 300 },
    )
  })
})

const timedOperation = fc.oneof(
  fc.record({ op: fc.constant('get' as const), key }),
  fc.record({
    op: fc.constant('set' as const),
    key,
    value: fc.integer(),
    ttl: fc.option(fc.integer({ min: -2, max: 20 }), { nil: undefined }),
  }),
  fc.record({ op: fc.constant('delete' as const), key }),
  fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 10 }) }),
)

describe.each(['lru', 'lfu', 'fifo', 'tinylfu'] as const)('%s invariants with expiry', (policy) => {
  test('never serves a dead or stale value, stays bounded, and accounts bytes exactly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(timedOperation, { maxLength: 200 }),
        (maxEntries, operations) => {
          const clock = fakeClock()
          const tier = memory<number>({ policy, maxEntries, clock: clock.now, sizeOf: () => 3 })
          const written = new Map<string, { value: number; expiresAt: number }>()
          for (const step of operations) {
            switch (step.op) {
              case 'advance':
                clock.advance(step.ms)
                break
              case 'set': {
                const expiresAt =
                  step.ttl === undefined ? Number.POSITIVE_INFINITY : clock.now() + step.ttl
                tier.set(step.key, step.value, expiresAt)
                written.set(step.key, { value: step.value, expiresAt })
                break
              }
              case 'delete':
                tier.delete(step.key)
                written.delete(step.key)
                break
              case 'get': {
                const value = tier.get(step.key)
                const last = written.get(step.key)
                if (value !== undefined) {
                  expect(last?.value).toBe(value)
                  expect(last?.expiresAt).toBeGreaterThan(clock.now())
                }
                break
              }
            }
            expect(tier.size).toBeLessThanOrEqual(maxEntries)
            expect(tier.stats().bytes).toBe(3 * tier.size)
          }
        },
      ),
      { numRuns: 300 },
    )
  })
})
