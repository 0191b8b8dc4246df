import type { StoreWarning } from '../store.js'
import type { RemoteTier } from './remote-tier.js'

/** After a check that could not reach its backend, the next one waits at least this. */
export const SETUP_RETRY_MS = 60_000

/** Where {@link SetupChecks} reports. */
export interface SetupReporter {
  warning(tier: string, warning: StoreWarning): void
  failed(tier: string, error: unknown): void
}

/**
 * Runs each remote tier's `checkSetup` once per cache, in the background, when the
 * cache first needs what it checks (tags). A check that rejects (backend unreachable)
 * is tried again at a later use, no sooner than {@link SETUP_RETRY_MS}; one that resolves
 * is never repeated, so each warning is reported once.
 */
export class SetupChecks {
  readonly #tiers: readonly RemoteTier[]
  readonly #clock: () => number
  readonly #reporter: SetupReporter
  /** Per tier: when its check may run (`Infinity` once done, or without a check). */
  readonly #dueAt: number[]
  #settled: boolean

  constructor(tiers: readonly RemoteTier[], clock: () => number, reporter: SetupReporter) {
    this.#tiers = tiers
    this.#clock = clock
    this.#reporter = reporter
    this.#dueAt = tiers.map((tier) =>
      tier.store.checkSetup === undefined ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY,
    )
    this.#settled = this.#dueAt.every((due) => due === Number.POSITIVE_INFINITY)
  }

  /** Starts the checks that are due; never waits for them and never throws. */
  run(): void {
    if (this.#settled) return
    const now = this.#clock()
    this.#tiers.forEach((tier, index) => {
      if (now < (this.#dueAt[index] as number)) return
      this.#dueAt[index] = Number.POSITIVE_INFINITY
      void this.#check(tier, index)
    })
    this.#settled = this.#dueAt.every((due) => due === Number.POSITIVE_INFINITY)
  }

  async #check(tier: RemoteTier, index: number): Promise<void> {
    try {
      const warnings = (await tier.store.checkSetup?.()) ?? []
      for (const warning of warnings) this.#reporter.warning(tier.name, warning)
    } catch (error) {
      this.#dueAt[index] = this.#clock() + SETUP_RETRY_MS
      this.#settled = false
      this.#reporter.failed(tier.name, error)
    }
  }
}
