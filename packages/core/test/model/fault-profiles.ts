import {
  type Fault,
  type FaultPolicy,
  type FaultStore,
  mulberry32,
  type StoreOp,
} from '../support/fault-store.js'

/**
 * How a run's remote tiers misbehave. Every profile is seeded, and its delays count
 * ticks of a {@link TickClock} (advanced by the runner between event-loop turns), so a
 * seed replays the same faults in the same places.
 */
export type FaultProfile =
  | 'none'
  | 'slow-writes'
  | 'failing-writes'
  | 'late-writes'
  | 'hangs'
  | 'corrupt-reads'
  | 'mixed'

export const FAULT_PROFILES: readonly FaultProfile[] = [
  'none',
  'slow-writes',
  'failing-writes',
  'late-writes',
  'hangs',
  'corrupt-reads',
  'mixed',
]

const WRITES: ReadonlySet<StoreOp> = new Set<StoreOp>(['set', 'delete', 'clear', 'add'])

/** Delays in ticks: `sleep(n)` resolves after `advance()` was called `n` times. */
export class TickClock {
  #now = 0
  readonly #waiting: { at: number; resolve: () => void }[] = []

  readonly sleep = (ticks: number): Promise<void> =>
    new Promise((resolve) => this.#waiting.push({ at: this.#now + Math.max(1, ticks), resolve }))

  advance(): void {
    this.#now++
    for (let i = this.#waiting.length - 1; i >= 0; i--) {
      const waiter = this.#waiting[i]!
      if (waiter.at > this.#now) continue
      this.#waiting.splice(i, 1)
      waiter.resolve()
    }
  }
}

/** The fault policy of one remote tier under `profile`, drawing from `seed`. */
export function faultPolicy(profile: FaultProfile, seed: number, store: FaultStore): FaultPolicy {
  const random = mulberry32(seed)
  const chance = (p: number) => random() < p
  const ticks = (max: number) => 1 + Math.floor(random() * max)
  const slow = (): Fault => ({ kind: 'slow', ms: ticks(4) })
  const failing = (): Fault => (chance(0.5) ? { kind: 'throw' } : { kind: 'throw-after-apply' })
  // A late write answers as a timeout would (rejects) and lands later. One that resolved
  // before landing would be a store breaking its own contract (read-your-writes), which
  // no engine can see, so profiles never inject it.
  const late = (): Fault => ({
    kind: 'late',
    answer: 'reject',
    ...(chance(0.7) && { applyAfterMs: ticks(12) }),
  })
  const corrupt = (): Fault => {
    const written = store.writtenKeys
    const pick = Math.floor(random() * 4)
    if (pick === 3 && written.length > 0) {
      return { kind: 'corrupt', how: { bytesOf: written[Math.floor(random() * written.length)]! } }
    }
    return { kind: 'corrupt', how: (['truncate', 'bit-flip', 'foreign'] as const)[pick % 3]! }
  }
  return (op) => {
    if (op === 'close') return undefined
    const write = WRITES.has(op)
    switch (profile) {
      case 'none':
        return undefined
      case 'slow-writes':
        return write && chance(0.5) ? slow() : undefined
      case 'failing-writes':
        return write && chance(0.25) ? failing() : undefined
      case 'late-writes':
        return write && op !== 'add' && chance(0.3) ? late() : undefined
      case 'hangs':
        // Reads are many (every step reads every key): hanging them often costs real time.
        return chance(write ? 0.05 : 0.003) ? { kind: 'hang' } : undefined
      case 'corrupt-reads':
        return op === 'get' && chance(0.25) ? corrupt() : undefined
      case 'mixed': {
        const roll = random()
        if (roll < 0.08) return write ? failing() : { kind: 'throw' }
        if (roll < 0.16) return write && op !== 'add' ? late() : slow()
        if (roll < 0.18) return write || roll < 0.162 ? { kind: 'hang' } : undefined
        if (roll < 0.26) return op === 'get' ? corrupt() : slow()
        return undefined
      }
    }
  }
}
