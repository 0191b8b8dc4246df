import { describe, expect, test } from 'vitest'
import { Deadlines } from '../../src/store-kit/deadlines.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('Deadlines', () => {
  test('expires unfinished calls after the timeout, in order, and never finished ones', async () => {
    const deadlines = new Deadlines(40)
    const expired: number[] = []
    const calls = Array.from({ length: 6 }, (_, index) =>
      deadlines.start(() => expired.push(index)),
    )
    expect(deadlines.finish(calls[1]!)).toBe(true)
    expect(deadlines.finish(calls[4]!)).toBe(true)
    await sleep(5)
    const late = deadlines.start(() => expired.push(6))
    expect(expired).toEqual([])
    await sleep(80)
    expect(expired).toEqual([0, 2, 3, 5, 6])
    expect(deadlines.pending(calls[0]!)).toBe(false)
    expect(deadlines.finish(calls[0]!)).toBe(false)
    expect(deadlines.pending(late)).toBe(false)
  })

  test('a call started after the oldest finished is still expired on time', async () => {
    const deadlines = new Deadlines(40)
    const first = deadlines.start(() => {})
    await sleep(20)
    let expiredAt: number | undefined
    const startedAt = performance.now()
    deadlines.start(() => {
      expiredAt = performance.now()
    })
    deadlines.finish(first)
    await sleep(120)
    expect(expiredAt).toBeDefined()
    // Not before its own deadline; the upper side is a bound against never, not a timing check.
    expect((expiredAt as number) - startedAt).toBeGreaterThanOrEqual(39)
  })

  test('thousands of calls finishing in order leave nothing behind', async () => {
    const deadlines = new Deadlines(30)
    let expired = 0
    for (let round = 0; round < 5_000; round++) {
      deadlines.finish(deadlines.start(() => expired++))
    }
    await sleep(60)
    expect(expired).toBe(0)
  })
})

describe('Deadlines under a call that hangs', () => {
  test('calls finished behind it do not pile up, and it still expires', async () => {
    const deadlines = new Deadlines(50)
    const expired: string[] = []
    const hung = deadlines.start(() => expired.push('hung'))
    let peak = 0
    for (let i = 0; i < 20_000; i++) {
      const call = deadlines.start(() => expired.push(`call ${i}`))
      expect(deadlines.finish(call)).toBe(true)
      peak = Math.max(peak, deadlines.held)
    }
    // Without dropping them, all 20,000 finished calls would wait behind the hung one.
    expect(peak).toBeLessThan(2_100)
    const late = deadlines.start(() => expired.push('late'))
    await new Promise((resolve) => setTimeout(resolve, 120))
    expect(expired).toEqual(['hung', 'late'])
    expect(deadlines.pending(hung)).toBe(false)
    expect(deadlines.finish(late)).toBe(false)
  })
})
