import type { CacheEntry } from '../entry.js'
import { ClosedError, StoreUnavailableError } from '../errors.js'
import type { TierStats } from '../stats.js'
import { tierChannel, traced } from '../tracing.js'
import type { Recovery } from './recovery.js'
import type { RemoteTier } from './remote-tier.js'
import { type Ticket, TierOrder } from './tier-order.js'

/** The outcome of one guarded tier call. */
export type CallOutcome<R> = { readonly ok: true; readonly value: R } | { readonly ok: false }

/** How a mutation is placed and what its failure leaves behind. */
export interface MutationOptions {
  /** When whatever the mutation writes is dead anyway (`-Infinity` for removals). */
  readonly deadUntil: number
  /** Resolves when the mutation may run (its write-behind turn); now when omitted. */
  readonly turn?: Promise<void>
  /** Checked when the mutation's turn comes: `false` drops it (e.g. a stale backfill). */
  readonly stillWanted?: () => boolean
}

/** What {@link RemoteCalls} reports to. */
export interface CallReporter {
  readonly cacheName: string
  readonly strict: boolean
  reportError(key: string | undefined, tier: string, operation: string, error: unknown): void
}

/**
 * Every call the cache makes to a remote tier: traced, guarded by the tier's timeout and
 * circuit breaker, counted. Mutations also keep their place in the tier's per-key order
 * ({@link TierOrder}), and a failed one fences what it touched until {@link Recovery}
 * has repaired it.
 */
export class RemoteCalls {
  readonly tiers: readonly RemoteTier[]
  readonly orders: readonly TierOrder[]
  readonly #stats: readonly TierStats[]
  readonly #reporter: CallReporter
  #recovery: Recovery | undefined

  constructor(tiers: readonly RemoteTier[], stats: readonly TierStats[], reporter: CallReporter) {
    this.tiers = tiers
    this.#stats = stats
    this.#reporter = reporter
    this.orders = tiers.map(() => new TierOrder())
  }

  /** @internal Wired once, after construction (recovery repairs through these calls). */
  useRecovery(recovery: Recovery): void {
    this.#recovery = recovery
  }

  /**
   * Whether tier `index` can be trusted for `fullKey` now: no mutation of it pending
   * there, and not fenced by a failed one. In strict mode a fenced key is an error
   * (`StoreUnavailableError`), as the failure that fenced it was.
   */
  readable(index: number, fullKey: string): boolean {
    if ((this.orders[index] as TierOrder).isPending(fullKey)) return false
    if (!(this.#recovery?.isFenced(index, fullKey) ?? false)) return true
    if (this.#reporter.strict) {
      const tier = (this.tiers[index] as RemoteTier).name
      throw new StoreUnavailableError(
        tier,
        'a failed write of this key awaits recovery',
        undefined,
        fullKey,
      )
    }
    return false
  }

  /**
   * Runs a call that changes nothing. A failure is counted and reported; in strict mode
   * it rejects, otherwise it resolves `undefined` so the other tiers can answer.
   */
  call<R>(
    index: number,
    fullKey: string | undefined,
    operation: string,
    call: (tier: RemoteTier) => Promise<R>,
  ): Promise<R | undefined> {
    // No async frame of its own: every read of every key passes here.
    return this.#run(index, fullKey, operation, call).then(undefined, (error: unknown) => {
      this.#failed(index, fullKey, operation, error)
      return undefined
    })
  }

  /**
   * Reads `fullKey` from tier `index` like {@link call}, without a guard around this
   * key: {@link RemoteTier.readBytes} guards the store call it makes, which with coalescing is
   * one call for a whole batch (a timeout or open circuit is each member's).
   */
  read(index: number, fullKey: string): Promise<CacheEntry | undefined> {
    const tier = this.tiers[index] as RemoteTier
    // Decoding and failure handling in one step.
    return this.readBytes(index, fullKey).then(
      (bytes) => (bytes === undefined ? undefined : tier.decode(fullKey, bytes)),
      (error: unknown) => this.readFailed(index, fullKey, error),
    )
  }

  /**
   * The stored bytes under `fullKey` in tier `index`, traced; to decode with the tier's
   * `decode`, a rejection going to {@link readFailed}. For a caller that folds its own
   * next step into the same promise turn ({@link read} is one).
   */
  readBytes(index: number, fullKey: string): Promise<Uint8Array | undefined> {
    const tier = this.tiers[index] as RemoteTier
    if (!tierChannel.hasSubscribers) return tier.readBytes(fullKey)
    return traced(
      tierChannel,
      () => ({ cache: this.#reporter.cacheName, tier: tier.name, operation: 'get', key: fullKey }),
      () => tier.readBytes(fullKey),
    )
  }

  /**
   * Counts and reports a failed {@link readBytes}, read as a miss (`undefined`); throws
   * instead in strict mode and for a closed cache.
   */
  readFailed(index: number, fullKey: string, error: unknown): undefined {
    this.#failed(index, fullKey, 'get', error)
    return undefined
  }

  /** Like {@link call}, telling a failure apart from an `undefined` result. */
  attempt<R>(
    index: number,
    fullKey: string | undefined,
    operation: string,
    call: (tier: RemoteTier) => Promise<R>,
    sent?: (raw: Promise<R>) => void,
  ): Promise<CallOutcome<R>> {
    return this.#run(index, fullKey, operation, call, sent).then(
      (value): CallOutcome<R> => ({ ok: true, value }),
      (error: unknown): CallOutcome<R> => {
        this.#failed(index, fullKey, operation, error)
        return { ok: false }
      },
    )
  }

  /** `call` on tier `index`, traced and guarded. */
  #run<R>(
    index: number,
    fullKey: string | undefined,
    operation: string,
    call: (tier: RemoteTier) => Promise<R>,
    sent?: (raw: Promise<R>) => void,
  ): Promise<R> {
    const tier = this.tiers[index] as RemoteTier
    const guarded = () =>
      tier.guard.run(operation, fullKey, () => {
        const raw = call(tier)
        sent?.(raw)
        return raw
      })
    if (!tierChannel.hasSubscribers) return guarded()
    return traced(
      tierChannel,
      () => ({ cache: this.#reporter.cacheName, tier: tier.name, operation, key: fullKey }),
      guarded,
    )
  }

  /** Counts and reports a failed call; rethrows it in strict mode and for a closed cache. */
  #failed(index: number, fullKey: string | undefined, operation: string, error: unknown): void {
    const tier = this.tiers[index] as RemoteTier
    ;(this.#stats[index] as TierStats).errors++
    this.#reporter.reportError(fullKey, tier.name, operation, error)
    if (this.#reporter.strict || ClosedError.isInstance(error)) {
      throw asStoreError(tier.name, error, fullKey)
    }
  }

  /**
   * Runs a mutation in its tier's per-key order (after every earlier mutation of the
   * keys it touches, see {@link TierOrder}). A failure or timeout fences each ticket's
   * target on the tier until recovery repairs it; it also rejects in strict mode.
   * Resolves `{ ok: true }` without calling when a later mutation made it pointless;
   * `call` gets the tickets still wanted (a batch drops the keys a later mutation took over).
   */
  async mutate<R>(
    index: number,
    tickets: readonly Ticket[],
    operation: string,
    call: (tier: RemoteTier, live: readonly Ticket[]) => Promise<R>,
    options: MutationOptions,
  ): Promise<CallOutcome<R | undefined>> {
    const order = this.orders[index] as TierOrder
    const ready = Promise.all(tickets.map((ticket) => order.enter(ticket)))
    let raw: Promise<R> | undefined
    let failed = true
    try {
      await (options.turn === undefined ? ready : Promise.all([ready, options.turn]))
      const live = tickets.filter((ticket) => !ticket.cancelled)
      if (live.length === 0 || options.stillWanted?.() === false) {
        failed = false
        return { ok: true, value: undefined }
      }
      for (const ticket of live) ticket.started = true
      const first = live.length === 1 ? live[0]?.target : undefined
      const outcome = await this.attempt(
        index,
        first,
        operation,
        (tier) => call(tier, live),
        (sent) => {
          raw = sent
        },
      )
      failed = !outcome.ok
      return outcome
    } finally {
      for (const ticket of tickets) {
        if (failed && !ticket.cancelled) this.#fence(index, ticket, raw, options.deadUntil)
        order.finish(ticket)
      }
    }
  }

  #fence(index: number, ticket: Ticket, raw: Promise<unknown> | undefined, deadUntil: number) {
    this.#recovery?.fence(
      index,
      ticket.target,
      ticket.isPrefix,
      raw === undefined ? undefined : { call: raw, deadUntil },
    )
  }
}

/** Store errors pass through; anything else a store threw becomes `StoreUnavailableError`. */
function asStoreError(store: string, error: unknown, key: string | undefined): unknown {
  if (ClosedError.isInstance(error) || StoreUnavailableError.isInstance(error)) return error
  if (
    error instanceof Error &&
    'code' in error &&
    typeof error.code === 'string' &&
    error.code.startsWith('E_')
  ) {
    return error
  }
  return new StoreUnavailableError(store, (error as Error)?.message ?? String(error), error, key)
}
