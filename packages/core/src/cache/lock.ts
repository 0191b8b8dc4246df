import { randomBytes } from 'node:crypto'
import type { RemoteTier } from './remote-tier.js'

/**
 * A lock for single-flight across processes, taken with the atomic `add` of one
 * remote tier. It expires by itself after `timeout`, so a crashed holder blocks the
 * others for at most that long.
 *
 * Release deletes the lock key. Keep `timeout` above your loaders' duration (or set a
 * `hardTimeout` below it): a holder that outlives its lock could release the lock of
 * the next holder.
 */
export class DistributedLock {
  readonly #tier: RemoteTier
  readonly timeout: number
  readonly retryInterval: number

  constructor(tier: RemoteTier, timeout: number, retryInterval: number) {
    this.#tier = tier
    this.timeout = timeout
    this.retryInterval = retryInterval
  }

  /** `true` when this call took the lock. */
  acquire(lockKey: string, now: number): Promise<boolean> {
    return this.#tier.store.add(lockKey, randomBytes(8), now + this.timeout)
  }

  async release(lockKey: string): Promise<void> {
    await this.#tier.store.delete(lockKey)
  }
}
