import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { InvalidKeyError } from '../../src/errors.js'
import { type BreakerState, TierGuard } from '../../src/resilience/index.js'
import { connectionRefused, fakeClock, outcome } from './helpers.js'

type Step = { kind: 'ok' | 'fail' | 'mistake' } | { kind: 'wait'; ms: number }

/** The breaker's rules, written as plainly as possible, for sequential (one-at-a-time) calls. */
class BreakerModel {
  state: BreakerState = 'closed'
  consecutive = 0
  halfOpenAt = 0
  stats = { timeouts: 0, failures: 0, rejectedWhileOpen: 0, opened: 0 }
  constructor(
    readonly threshold: number,
    readonly cooldown: number,
  ) {}

  /** Returns whether the call reaches the tier. */
  call(kind: 'ok' | 'fail' | 'mistake', now: number): boolean {
    if (this.state === 'open') {
      if (now < this.halfOpenAt) {
        this.stats.rejectedWhileOpen++
        return false
      }
      this.state = 'half-open'
    }
    const probe = this.state === 'half-open'
    if (kind === 'ok') {
      this.consecutive = 0
      if (probe) this.state = 'closed'
    } else if (kind === 'fail') {
      this.stats.failures++
      if (probe || ++this.consecutive >= this.threshold) {
        this.state = 'open'
        this.consecutive = 0
        this.halfOpenAt = now + this.cooldown
        this.stats.opened++
      }
    }
    return true
  }
}

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.constantFrom<Step>({ kind: 'ok' }, { kind: 'fail' }, { kind: 'mistake' }),
  fc.integer({ min: 0, max: 3_000 }).map((ms): Step => ({ kind: 'wait', ms })),
)

describe('TierGuard against a model of the breaker', () => {
  test('agrees on every call, state and counter for random sequences', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 2_000 }),
        fc.array(step, { maxLength: 60 }),
        async (threshold, cooldown, steps) => {
          const clock = fakeClock()
          const guard = new TierGuard('model', {
            timeout: Number.POSITIVE_INFINITY,
            breaker: { failureThreshold: threshold, cooldown },
            clock: clock.now,
          })
          const model = new BreakerModel(threshold, cooldown)
          for (const current of steps) {
            if (current.kind === 'wait') {
              clock.advance(current.ms)
              continue
            }
            let called = false
            const { kind } = current
            await outcome(
              guard.run('get', 'k', () => {
                called = true
                if (kind === 'ok') return Promise.resolve('v')
                return Promise.reject(
                  kind === 'fail' ? connectionRefused() : new InvalidKeyError('bad', 'k'),
                )
              }),
            )
            expect(called).toBe(model.call(kind, clock.now()))
          }
          if (model.state === 'open' && clock.now() >= model.halfOpenAt) model.state = 'half-open'
          expect(guard.state).toBe(model.state)
          expect(guard.stats()).toEqual(model.stats)
        },
      ),
      { numRuns: 300 },
    )
  })
})
