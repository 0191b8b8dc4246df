import { DecodeError } from '../errors.js'
import { tagRecordExpiry } from './entry-life.js'
import type { CacheRuntime } from './runtime.js'
import { decodeTagRecord, encodeTagRecord } from './tag-records.js'
import type { TagStorage } from './tags.js'

/** Back-off of a tag timestamp a remote tier failed to take. */
const RETRY_FIRST_MS = 100
const RETRY_MAX_MS = 30_000
/** Tag timestamps waiting to be written again, at most; past it, failures are only reported. */
const MAX_RETRIES = 10_000

/** Tag timestamps in the remote tiers, as checked records (see tag-records.ts). */
export class RemoteTagStorage implements TagStorage {
  readonly #rt: CacheRuntime
  #retries = 0

  constructor(runtime: CacheRuntime) {
    this.#rt = runtime
  }

  key(hard: boolean, scope: string, tag: string): string {
    return this.#rt.internalKeys.tag(hard, scope, tag)
  }

  async read(keys: readonly string[], now: number): Promise<number[]> {
    const rt = this.#rt
    rt.setup.run() // e.g. a Redis that may evict these records
    const perTier = await Promise.all(
      rt.remotes.map((_, i) =>
        rt.calls.call(i, keys[0], 'tags', (tier) => tier.store.getMany(keys)),
      ),
    )
    return keys.map((key, k) => {
      let newest = Number.NEGATIVE_INFINITY
      perTier.forEach((values, i) => {
        const bytes = values?.[k]
        if (bytes === undefined) return
        const at = decodeTagRecord(bytes, now)
        if (at !== undefined) {
          newest = Math.max(newest, at)
          return
        }
        // A corrupt record: assume the change happened now (a wasted miss, never a
        // resurrected entry) and write that down, so the tag works again.
        rt.decodeFailed(i, new DecodeError(`corrupt tag timestamp under "${key}"`, key))
        newest = Math.max(newest, now)
        void rt.calls
          .call(i, key, 'tags', (tier) =>
            tier.store.set(key, encodeTagRecord(now), this.#expiry(now)),
          )
          .catch(() => undefined)
      })
      return newest
    })
  }

  /**
   * Writes a tag timestamp to every remote tier, to expire once no entry it can reject
   * is alive (`maxEntryLife` after `at`, plus clock skew). This process already applied the
   * change; a tier that failed gets it again in the background until it takes it, so
   * that other processes and restarts learn of it too.
   */
  async write(key: string, at: number): Promise<void> {
    const rt = this.#rt
    rt.setup.run()
    await Promise.all(rt.remotes.map((_, i) => this.#writeTo(i, key, at, 0)))
  }

  /** A record outlives every entry it can reject, and no longer (see entry-life.ts). */
  #expiry(at: number): number {
    return tagRecordExpiry(at, this.#rt.options.policy.maxEntryLife)
  }

  async #writeTo(index: number, key: string, at: number, attempt: number): Promise<void> {
    const rt = this.#rt
    const bytes = encodeTagRecord(at)
    // Newest wins on conditional tiers: a late write of an older change never replaces a newer one.
    const written = await rt.calls.attempt(index, key, 'tags', (tier) =>
      tier.setRecord(key, bytes, this.#expiry(at), at),
    )
    if (written.ok || rt.closing !== undefined) return
    if (this.#retries >= MAX_RETRIES) {
      const error = new Error(
        `too many tag timestamps waiting to be written again; "${key}" is not`,
      )
      rt.reportError(key, rt.remotes[index]?.name, 'tags', error)
      return
    }
    this.#retries++
    const retry = setTimeout(
      () => {
        this.#retries--
        rt.background.delete(stop)
        void this.#writeTo(index, key, at, attempt + 1).catch(() => undefined)
      },
      Math.min(RETRY_FIRST_MS * 2 ** attempt, RETRY_MAX_MS),
    )
    retry.unref()
    const stop = () => {
      clearTimeout(retry)
      this.#retries--
    }
    rt.background.add(stop)
  }
}
