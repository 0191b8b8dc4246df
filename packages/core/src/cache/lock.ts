import { randomBytes } from 'node:crypto'
import type { RemoteTier } from './remote-tier.js'

/** Runs an operation on the lock's tier through the cache's guard and error counting. */
export type LockTierCall = <R>(
  operation: string,
  key: string,
  call: (tier: RemoteTier) => Promise<R>,
) => Promise<R | undefined>

/**
 * A lock for single-flight across processes, taken with the atomic `add` of one
 * remote tier. It expires by itself after `timeout`, so a crashed holder blocks the
 * others for at most that long. Its calls go through the tier's timeout and circuit
 * breaker like any other, so a tier that is down costs the lock nothing but a counted
 * failure.
 *
 * Release deletes the lock key. Keep `timeout` above your loaders' duration (or set a
 * `hardTimeout` below it): a holder that outlives its lock could release the lock of
 * the next holder.
 */
export class DistributedLock {
  readonly #call: LockTierCall
  readonly timeout: number
  readonly retryInterval: number

  constructor(call: LockTierCall, timeout: number, retryInterval: number) {
    this.#call = call
    this.timeout = timeout
    this.retryInterval = retryInterval
  }

  /** `true` when this call took the lock, `false` when another holds it, `undefined` when the tier failed. */
  acquire(lockKey: string, now: number): Promise<boolean | undefined> {
    return this.#call('lock', lockKey, (tier) =>
      tier.store.add(lockKey, randomBytes(8), now + this.timeout),
    )
  }

  async release(lockKey: string): Promise<void> {
    await this.#call('unlock', lockKey, (tier) => tier.store.delete(lockKey))
  }
}
