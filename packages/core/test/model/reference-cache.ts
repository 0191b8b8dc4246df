/**
 * A deliberately naive reference model of a tiered cache, written from the engine's
 * documented semantics (cache.ts TSDoc, DESIGN.md "three phases", tags.ts), not from
 * its code paths. Every tier is a plain Map of entries; time is a number the test moves.
 *
 * Entry phases: fresh while `now < effectiveFreshUntil`, stale until `staleUntil`, dead
 * afterwards. A tag invalidated at or after an entry's `createdAt` kills it; a tag
 * expired at or after `createdAt` ends its freshness then (tags.ts: "at or before").
 *
 * What the model fixes about tiers (each documented on the facade):
 * - reads go fastest tier first; a hit (or, for single reads, the best stale entry)
 *   is copied into the tiers above it with its own deadlines ("backfill");
 * - writes go to every selected tier; `tiers: 'remote'` drops the local copy;
 * - `add` asks the deepest remote tier (physical presence: stores know no tags);
 *   without remote tiers, the local tier, where a tag-dead entry does not count;
 * - another cache sharing the remote tiers changes only those tiers, plus (with a bus)
 *   drops this cache's local copies of what it touched.
 */

export interface ModelEntry {
  readonly value: number
  readonly createdAt: number
  readonly freshUntil: number
  readonly staleUntil: number
  readonly tags: readonly string[]
}

export interface ModelPolicy {
  readonly ttl: number
  readonly staleWhileRevalidate: number
  readonly grace: number
  readonly graceBackoff: number
}

export type Tiers = 'all' | 'local' | 'remote'

/** An entry found in a tier: `tier` is -1 for the local tier, else the remote index. */
interface Held {
  readonly entry: ModelEntry
  readonly tier: number
  readonly freshUntil: number
}

/** What a `getOrSet` did: what it returned (or that it threw) and whether it ran the loader. */
export interface LoadOutcome {
  readonly result: { readonly value: number } | { readonly error: true }
  readonly loaderCalls: number
}

interface TagTimes {
  hard: number
  soft: number
}

type Tier = Map<string, ModelEntry>

export class ReferenceCache {
  now: number
  readonly policy: ModelPolicy
  readonly local: Tier | undefined
  readonly remotes: readonly Tier[]
  readonly tagTimes = new Map<string, TagTimes>()
  /** Full key → time before which a failed loader is not retried (grace backoff). */
  readonly #retryAfter = new Map<string, number>()

  constructor(options: { now: number; policy: ModelPolicy; local: boolean; remotes: number }) {
    this.now = options.now
    this.policy = options.policy
    this.local = options.local ? new Map() : undefined
    this.remotes = Array.from({ length: options.remotes }, () => new Map())
  }

  // ---- phases -------------------------------------------------------------------

  /** The entry a tier physically holds now (its store expiry is `staleUntil`). */
  held(tier: Tier | undefined, key: string): ModelEntry | undefined {
    const entry = tier?.get(key)
    if (entry === undefined) return undefined
    if (this.now >= entry.staleUntil) {
      tier?.delete(key)
      return undefined
    }
    return entry
  }

  /** End of freshness after tags; `-Infinity` when a tag hard-invalidated the entry. */
  effectiveFreshUntil(entry: ModelEntry): number {
    let freshUntil = entry.freshUntil
    for (const tag of entry.tags) {
      const times = this.tagTimes.get(tag)
      if (times === undefined) continue
      if (times.hard >= entry.createdAt) return Number.NEGATIVE_INFINITY
      if (times.soft >= entry.createdAt) freshUntil = Math.min(freshUntil, times.soft)
    }
    return freshUntil
  }

  /** Alive: physically held and not killed by a tag. Stale entries are alive. */
  isAlive(entry: ModelEntry): boolean {
    return (
      this.now < entry.staleUntil && this.effectiveFreshUntil(entry) !== Number.NEGATIVE_INFINITY
    )
  }

  isFresh(entry: ModelEntry): boolean {
    return this.now < this.effectiveFreshUntil(entry)
  }

  /** Every tier's physically held entry for `key`, fastest tier first. */
  allHeld(key: string): ModelEntry[] {
    return this.#tiers()
      .map((tier) => this.held(tier, key))
      .filter((entry): entry is ModelEntry => entry !== undefined)
  }

  // ---- writes -------------------------------------------------------------------

  entry(
    value: number,
    options: { ttl?: number | undefined; tags?: readonly string[] },
  ): ModelEntry {
    const freshUntil = this.now + (options.ttl ?? this.policy.ttl)
    return {
      value,
      createdAt: this.now,
      freshUntil,
      staleUntil: freshUntil + Math.max(this.policy.staleWhileRevalidate, this.policy.grace),
      tags: options.tags ?? [],
    }
  }

  set(key: string, entry: ModelEntry, tiers: Tiers = 'all'): void {
    if (tiers !== 'local') for (const remote of this.remotes) this.#put(remote, key, entry)
    if (tiers !== 'remote') this.#put(this.local, key, entry)
    else this.local?.delete(key)
  }

  /** Removes `keys` from every tier; returns how many of them the fullest tier physically held. */
  delete(keys: readonly string[]): number {
    let most = 0
    for (const tier of this.#tiers()) {
      let removed = 0
      for (const key of new Set(keys)) {
        if (this.held(tier, key) !== undefined) removed++
        tier.delete(key)
      }
      most = Math.max(most, removed)
    }
    return most
  }

  clear(prefix: string): void {
    for (const tier of this.#tiers()) {
      for (const key of [...tier.keys()]) if (key.startsWith(prefix)) tier.delete(key)
    }
  }

  changeTags(tags: readonly string[], hard: boolean): void {
    for (const tag of tags) {
      const times = this.tagTimes.get(tag) ?? {
        hard: Number.NEGATIVE_INFINITY,
        soft: Number.NEGATIVE_INFINITY,
      }
      if (hard) times.hard = Math.max(times.hard, this.now)
      else times.soft = Math.max(times.soft, this.now)
      this.tagTimes.set(tag, times)
    }
  }

  add(key: string, entry: ModelEntry): boolean {
    const owner = this.remotes.at(-1)
    if (owner === undefined) {
      const held = this.held(this.local, key)
      if (held !== undefined && this.isAlive(held)) return false
      this.#put(this.local, key, entry)
      return true
    }
    if (this.held(owner, key) !== undefined) return false
    this.set(key, entry, 'all')
    return true
  }

  /** Another cache on the same remote tiers wrote or deleted: only the shared tiers change. */
  otherSet(key: string, entry: ModelEntry, bus: boolean): void {
    for (const remote of this.remotes) this.#put(remote, key, entry)
    if (bus) this.local?.delete(key)
  }

  otherDelete(key: string, bus: boolean): void {
    for (const remote of this.remotes) remote.delete(key)
    if (bus) this.local?.delete(key)
  }

  otherClear(prefix: string, bus: boolean): void {
    for (const tier of bus ? this.#tiers() : this.remotes) {
      for (const key of [...tier.keys()]) if (key.startsWith(prefix)) tier.delete(key)
    }
  }

  // ---- reads --------------------------------------------------------------------

  get(key: string, tiers: Tiers = 'all'): number | undefined {
    if (tiers !== 'remote') {
      const local = this.held(this.local, key)
      if (local !== undefined && this.isFresh(local)) return local.value
    }
    if (tiers === 'local') return undefined
    const found = this.#readRemotes(key)
    return found !== undefined && this.now < found.freshUntil ? found.entry.value : undefined
  }

  /** Batch reads take fresh entries only, so only fresh hits are backfilled. */
  getMany(keys: readonly string[]): (number | undefined)[] {
    return keys.map((key) => {
      const local = this.held(this.local, key)
      if (local !== undefined && this.isFresh(local)) return local.value
      for (let i = 0; i < this.remotes.length; i++) {
        const entry = this.held(this.remotes[i], key)
        if (entry !== undefined && this.isFresh(entry)) {
          this.#backfill(key, entry, i)
          return entry.value
        }
      }
      return undefined
    })
  }

  /**
   * `getOrSet` with a loader that yields `value` (or throws when `fails`): a fresh hit
   * needs no loader; a stale one within stale-while-revalidate is served while one
   * background load refreshes it; otherwise the caller waits for one load, and a failed
   * load falls back to a stale entry within grace.
   */
  getOrSet(
    key: string,
    value: number,
    options: { ttl?: number | undefined; tags?: readonly string[]; fails: boolean },
  ): LoadOutcome {
    let fallback: Held | undefined
    const local = this.held(this.local, key)
    if (local !== undefined) {
      const freshUntil = this.effectiveFreshUntil(local)
      if (freshUntil !== Number.NEGATIVE_INFINITY) {
        if (this.now < freshUntil) return { result: { value: local.value }, loaderCalls: 0 }
        fallback = { entry: local, tier: -1, freshUntil }
      }
    }
    if (fallback !== undefined && this.#withinRevalidation(fallback)) {
      const refresh = this.#load(key, value, options, fallback, true)
      return { result: { value: fallback.entry.value }, loaderCalls: refresh.loaderCalls }
    }
    return this.#load(key, value, options, fallback, false)
  }

  #load(
    key: string,
    value: number,
    options: { ttl?: number | undefined; tags?: readonly string[]; fails: boolean },
    fallback: Held | undefined,
    background: boolean,
  ): LoadOutcome {
    let answered: number | undefined
    if (this.remotes.length > 0) {
      const found = this.#readRemotes(key)
      if (found !== undefined) {
        if (this.now < found.freshUntil)
          return { result: { value: found.entry.value }, loaderCalls: 0 }
        if (fallback === undefined || found.entry.createdAt > fallback.entry.createdAt)
          fallback = found
        if (!background && this.#withinRevalidation(fallback)) {
          answered = fallback.entry.value
          background = true
        }
      }
    }
    const stale = (held: Held): LoadOutcome => ({
      result: { value: answered ?? held.entry.value },
      loaderCalls: 0,
    })
    const retryAfter = this.#retryAfter.get(key)
    if (
      retryAfter !== undefined &&
      this.now < retryAfter &&
      fallback &&
      this.#withinGrace(fallback)
    ) {
      return stale(fallback)
    }
    if (options.fails) {
      if (fallback !== undefined && this.#withinGrace(fallback)) {
        this.#retryAfter.set(key, this.now + this.policy.graceBackoff)
        return { ...stale(fallback), loaderCalls: 1 }
      }
      return {
        result: answered === undefined ? { error: true } : { value: answered },
        loaderCalls: 1,
      }
    }
    this.#retryAfter.delete(key)
    this.set(key, this.entry(value, options), 'all')
    return { result: { value: answered ?? value }, loaderCalls: 1 }
  }

  /** The first fresh remote entry, else the first stale one; backfilled above where found. */
  #readRemotes(key: string): Held | undefined {
    let stale: Held | undefined
    for (let i = 0; i < this.remotes.length; i++) {
      const entry = this.held(this.remotes[i], key)
      if (entry === undefined) continue
      const freshUntil = this.effectiveFreshUntil(entry)
      if (freshUntil === Number.NEGATIVE_INFINITY) continue
      if (this.now < freshUntil) {
        this.#backfill(key, entry, i)
        return { entry, tier: i, freshUntil }
      }
      stale ??= { entry, tier: i, freshUntil }
    }
    if (stale !== undefined) this.#backfill(key, stale.entry, stale.tier)
    return stale
  }

  #backfill(key: string, entry: ModelEntry, foundAt: number): void {
    this.#put(this.local, key, entry)
    for (let i = 0; i < foundAt; i++) this.#put(this.remotes[i], key, entry)
  }

  #withinRevalidation(held: Held): boolean {
    return (
      this.now < held.freshUntil + this.policy.staleWhileRevalidate &&
      this.now < held.entry.staleUntil
    )
  }

  #withinGrace(held: Held): boolean {
    return this.now < held.freshUntil + this.policy.grace && this.now < held.entry.staleUntil
  }

  #put(tier: Tier | undefined, key: string, entry: ModelEntry): void {
    if (tier === undefined) return
    if (entry.staleUntil <= this.now) tier.delete(key)
    else tier.set(key, entry)
  }

  #tiers(): Tier[] {
    return this.local === undefined ? [...this.remotes] : [this.local, ...this.remotes]
  }
}
