/** Counters of fenced keys and their repairs; `cache.stats().recovery`. */
export interface RecoveryStats {
  /** Keys and prefixes fenced now: reads do not trust the tier that failed them. */
  fenced: number
  /** Repairs not done yet (waiting for a late call to settle, for back-off, or running). */
  pending: number
  /** Repairs that succeeded (each lifted a fence). */
  recovered: number
  /** Repair attempts, failed ones included. */
  retries: number
}

/** Payload of the `recovery` event. */
export interface RecoveryEvent {
  readonly tier: string
  readonly key?: string
  readonly prefix?: string
  /** `fenced`: a mutation failed; `recovered`: the repair succeeded; `dropped`: given up on close. */
  readonly state: 'fenced' | 'recovered' | 'dropped'
}

/** What {@link Recovery} needs from the cache. */
export interface RepairHost {
  readonly tierNames: readonly string[]
  /**
   * Removes `target` (a key, or every key under a prefix) from tier `tier`, in that
   * tier's mutation order and through its guard. Resolves whether it succeeded.
   */
  repair(tier: number, target: string, isPrefix: boolean): Promise<boolean>
  clock(): number
  emit(event: RecoveryEvent): void
}

interface Fence {
  readonly tier: number
  readonly target: string
  readonly isPrefix: boolean
  /** Failed calls that were sent and have not settled: one may still land. */
  readonly inFlight: Set<Promise<unknown>>
  /** After this time whatever a late write carries is dead anyway (epoch ms). */
  lateUntil: number
  /** Bumped by every failure: a repair lifts the fence only if none happened meanwhile. */
  version: number
  attempt: number
  timer: NodeJS.Timeout | undefined
  running: boolean
}

/** More fenced keys than this on one tier and reads stop trusting the whole tier. */
const MAX_FENCES_PER_TIER = 10_000
const FIRST_RETRY_MS = 50
const MAX_RETRY_MS = 30_000
const MAX_TIMER_MS = 2_147_483_647

/**
 * Auto-recovery of failed remote mutations (DESIGN §10).
 *
 * When a write, delete or clear of a remote tier fails or times out, the tier may hold
 * a value older than what this process has promised (the old value a delete did not
 * remove, the previous value a write did not replace, or a write that timed out and
 * lands later). The key (or prefix) is then **fenced** on that tier — reads of it skip
 * the tier, as if it missed — and a **repair** (delete the key, clear the prefix) runs
 * in the background, after any call that may still land has settled, with exponential
 * back-off, until it succeeds. Only then is the fence lifted.
 */
export class Recovery {
  readonly #host: RepairHost
  readonly #keys: Map<string, Fence>[]
  readonly #prefixes: Map<string, Fence>[]
  readonly #counters = { recovered: 0, retries: 0 }
  #closed = false

  constructor(host: RepairHost) {
    this.#host = host
    this.#keys = host.tierNames.map(() => new Map())
    this.#prefixes = host.tierNames.map(() => new Map())
  }

  /**
   * Fences `target` on `tier` after a failed mutation. `late` is the call itself when
   * it was sent and may still land, with the end of life of what it writes (`-Infinity`
   * for a removal, whose late landing is harmless).
   */
  fence(
    tier: number,
    target: string,
    isPrefix: boolean,
    late?: { readonly call: Promise<unknown>; readonly deadUntil: number },
  ): void {
    if (this.#closed) return
    const fences = (isPrefix ? this.#prefixes : this.#keys)[tier] as Map<string, Fence>
    let fence = fences.get(target)
    if (fence === undefined) {
      fence = {
        tier,
        target,
        isPrefix,
        inFlight: new Set(),
        lateUntil: Number.NEGATIVE_INFINITY,
        version: 0,
        attempt: 0,
        timer: undefined,
        running: false,
      }
      fences.set(target, fence)
      this.#emit(fence, 'fenced')
    }
    fence.version++
    if (late !== undefined && late.deadUntil > this.#host.clock()) {
      const call = late.call
      fence.inFlight.add(call)
      fence.lateUntil = Math.max(fence.lateUntil, late.deadUntil)
      const settled = () => {
        fence.inFlight.delete(call)
        this.#schedule(fence, 0)
      }
      call.then(settled, settled)
    }
    this.#schedule(fence, FIRST_RETRY_MS)
  }

  /** Whether reads of `key` must skip tier `tier`. */
  isFenced(tier: number, key: string): boolean {
    const keys = this.#keys[tier]
    if (keys === undefined) return false
    if (keys.size === 0 && (this.#prefixes[tier] as Map<string, Fence>).size === 0) return false
    if (keys.size + (this.#prefixes[tier] as Map<string, Fence>).size > MAX_FENCES_PER_TIER)
      return true
    if (keys.has(key)) return true
    for (const prefix of (this.#prefixes[tier] as Map<string, Fence>).keys()) {
      if (key.startsWith(prefix)) return true
    }
    return false
  }

  /** The tier is reachable again (its circuit closed): repair now instead of after back-off. */
  retryNow(tier: number): void {
    for (const fences of [this.#keys[tier], this.#prefixes[tier]]) {
      for (const fence of fences?.values() ?? []) this.#schedule(fence, 0, true)
    }
  }

  stats(): RecoveryStats {
    let fenced = 0
    for (const fences of [...this.#keys, ...this.#prefixes]) fenced += fences.size
    return { fenced, pending: fenced, ...this.#counters }
  }

  /** Stops every repair; fences are dropped with the cache. */
  close(): void {
    this.#closed = true
    for (const fences of [...this.#keys, ...this.#prefixes]) {
      for (const fence of fences.values()) {
        clearTimeout(fence.timer)
        this.#emit(fence, 'dropped')
      }
      fences.clear()
    }
  }

  #schedule(fence: Fence, delay: number, reschedule = false): void {
    if (this.#closed || fence.running) return
    if (fence.timer !== undefined) {
      if (!reschedule) return
      clearTimeout(fence.timer)
    }
    const now = this.#host.clock()
    if (fence.inFlight.size > 0 && now < fence.lateUntil) {
      // A late write may still land: repair once it has settled, or once what it carries is dead.
      delay = Math.max(delay, fence.lateUntil - now)
      if (delay > MAX_TIMER_MS) return
    }
    fence.timer = setTimeout(() => {
      fence.timer = undefined
      void this.#attempt(fence)
    }, delay)
    fence.timer.unref()
  }

  async #attempt(fence: Fence): Promise<void> {
    if (this.#closed) return
    if (fence.inFlight.size > 0 && this.#host.clock() < fence.lateUntil) {
      this.#schedule(fence, 0)
      return
    }
    const version = fence.version
    fence.running = true
    this.#counters.retries++
    let repaired = false
    try {
      repaired = await this.#host.repair(fence.tier, fence.target, fence.isPrefix)
    } finally {
      fence.running = false
    }
    if (this.#closed) return
    if (repaired && version === fence.version) {
      const fences = (fence.isPrefix ? this.#prefixes : this.#keys)[fence.tier]
      fences?.delete(fence.target)
      this.#counters.recovered++
      this.#emit(fence, 'recovered')
      return
    }
    if (!repaired) fence.attempt++
    this.#schedule(fence, Math.min(FIRST_RETRY_MS * 2 ** fence.attempt, MAX_RETRY_MS))
  }

  #emit(fence: Fence, state: RecoveryEvent['state']): void {
    const tier = this.#host.tierNames[fence.tier] as string
    this.#host.emit(
      fence.isPrefix ? { tier, prefix: fence.target, state } : { tier, key: fence.target, state },
    )
  }
}
