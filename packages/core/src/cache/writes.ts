import type { CacheEntry } from '../entry.js'
import { SerializationError, ValueTooLargeError } from '../errors.js'
import type { Flight } from './flights.js'
import { callerKey } from './keyspace.js'
import type { TierSelection } from './options.js'
import type { CallOutcome } from './remote-calls.js'
import type { CacheRuntime } from './runtime.js'
import { checkSerializable } from './serializability.js'
import { setLocal } from './tier-caps.js'
import { Ticket } from './tier-order.js'
import {
  capFor,
  type EncodedWrite,
  encodeEntry,
  keep,
  type RemoteWrite,
  toStoreWrite,
} from './write-encoding.js'

const NONE_REFUSED: ReadonlySet<string> = new Set()

/**
 * The write path: set, delete, clear, add, backfill and repairs, for every tier.
 *
 * Per-key order (DESIGN §10) rests on three rules:
 * 1. every mutation records itself in the process' mutation order ({@link Epochs})
 *    before it touches any tier, and supersedes the loads in flight for its keys;
 * 2. its remote calls take their place in each tier's per-key order ({@link TierOrder}),
 *    so they land after every earlier mutation of the same keys, and a failed one
 *    fences the key until recovery has repaired the tier;
 * 3. its local step, which runs after the remote calls, is skipped (and the local copy
 *    dropped) if a later mutation of the key began meanwhile.
 *
 * Across processes, tiers with conditional writes compare versions (see `RemoteTier`): a
 * write carries its entry's `createdAt` and a delete the time it was made, so an older
 * write landing late is refused there; a write refused by any tier is not kept locally.
 */
export class Writes {
  readonly #rt: CacheRuntime
  /** The highest version this process gave a set or delete (see {@link #stamp}). */
  #floor = Number.NEGATIVE_INFINITY

  constructor(runtime: CacheRuntime) {
    this.#rt = runtime
  }

  /** Encodes once, writes the selected tiers (remote first), then tells other processes. */
  async write(
    fullKey: string,
    entry: CacheEntry,
    tiers: TierSelection,
    writer?: Flight,
  ): Promise<void> {
    await this.writeMany([{ fullKey, entry, bytes: undefined }], tiers, writer)
  }

  /** Writes several entries, with one batch call per remote tier when there are several. */
  async writeMany(
    writes: readonly EncodedWrite[],
    tiers: TierSelection,
    writer?: Flight,
  ): Promise<void> {
    const rt = this.#rt
    // Switched off while this write was on its way (a load that began before): skip it.
    if (!rt.enabled) return
    for (const { fullKey, entry } of writes) checkSerializable(rt, fullKey, entry.value)
    const watches = writes.map(({ fullKey }) => {
      rt.epochs.changed(fullKey)
      // A flight writing its own result stays joinable until it ends.
      if (rt.flights.get(fullKey) !== writer) rt.flights.supersede(fullKey)
      return rt.epochs.watch(fullKey)
    })
    try {
      let refused = NONE_REFUSED
      if (tiers !== 'local' && rt.remotes.length > 0) {
        const remote = writes.map(
          (write): RemoteWrite => ({
            ...write,
            bytes: write.bytes ?? encodeEntry(rt, write.fullKey, write.entry),
            // A load's result is as old as its start; a set is this process' newest change.
            version:
              writer === undefined ? this.#stamp(write.entry.createdAt) : write.entry.createdAt,
          }),
        )
        try {
          if (rt.writeBehind) {
            await rt.writeBehind.push((turn) =>
              this.#writeRemotes(remote, turn).then((late) => this.#dropRefused(remote, late)),
            )
          } else {
            refused = await this.#writeRemotes(remote)
          }
        } catch (error) {
          // Strict mode: this process must not keep a value the shared tiers may lack.
          for (const { fullKey } of writes) rt.local?.delete(fullKey)
          throw error
        }
      }
      writes.forEach(({ fullKey, entry }, i) => {
        if (
          tiers === 'remote' ||
          refused.has(fullKey) ||
          rt.epochs.changedSince(watches[i] as (typeof watches)[number])
        ) {
          rt.local?.delete(fullKey)
        } else {
          setLocal(rt, fullKey, entry)
        }
      })
    } finally {
      for (const watch of watches) rt.epochs.end(watch)
    }
    rt.stats.sets += writes.length
    await rt.announce({ keys: writes.map((write) => write.fullKey) })
  }

  /**
   * Writes a loader's result. A value no remote tier can hold (the serializer refuses
   * it, or it is over `maxValueBytes`) rejects in strict mode; otherwise the failure is
   * counted and reported (`error` event, operation `encode`) and the value is kept in
   * the local tier only, while the remote tiers drop their older copy, so no tier keeps
   * part of it and none serves a value older than the one this process just loaded.
   */
  async writeLoaded(
    fullKey: string,
    entry: CacheEntry,
    tiers: TierSelection,
    writer: Flight,
  ): Promise<void> {
    const rt = this.#rt
    if (tiers === 'local' || rt.remotes.length === 0 || rt.options.strict) {
      return this.write(fullKey, entry, tiers, writer)
    }
    let bytes: Uint8Array
    try {
      bytes = encodeEntry(rt, fullKey, entry)
    } catch (error) {
      if (!SerializationError.isInstance(error) && !ValueTooLargeError.isInstance(error))
        throw error
      rt.reportError(callerKey(fullKey), undefined, 'encode', error)
      return this.#keepLocally(fullKey, entry, tiers, writer)
    }
    await this.writeMany([{ fullKey, entry, bytes }], tiers, writer)
  }

  /** The local half of {@link writeLoaded}'s fallback: local copy kept, remote copies dropped. */
  async #keepLocally(
    fullKey: string,
    entry: CacheEntry,
    tiers: TierSelection,
    writer: Flight,
  ): Promise<void> {
    const rt = this.#rt
    if (!rt.enabled) return
    rt.epochs.changed(fullKey)
    if (rt.flights.get(fullKey) !== writer) rt.flights.supersede(fullKey)
    const watch = rt.epochs.watch(fullKey)
    // Remove what is older than the value kept here, and keep older writes out.
    const tombstoneUntil = this.#tombstoneUntil()
    try {
      await Promise.all(
        rt.remotes.map((_, i) =>
          rt.calls.mutate(
            i,
            [new Ticket(fullKey, false, true, true)],
            'delete',
            (tier) => tier.delete(fullKey, entry.createdAt, tombstoneUntil).then(() => {}),
            { deadUntil: Number.NEGATIVE_INFINITY },
          ),
        ),
      )
      if (tiers !== 'remote' && !rt.epochs.changedSince(watch)) {
        setLocal(rt, fullKey, entry)
      } else {
        rt.local?.delete(fullKey)
      }
    } finally {
      rt.epochs.end(watch)
    }
    rt.stats.sets++
    await rt.announce({ keys: [fullKey] })
  }

  /** Deletes keys from every tier; resolves how many the fullest tier held. */
  async remove(fullKeys: readonly string[]): Promise<number> {
    const rt = this.#rt
    let removed = 0
    for (const fullKey of fullKeys) {
      rt.epochs.changed(fullKey)
      rt.flights.supersede(fullKey)
      if (rt.local?.delete(fullKey)) removed++
    }
    const version = this.#stamp(rt.clock())
    const tombstoneUntil = this.#tombstoneUntil()
    const outcomes = await Promise.all(
      rt.remotes.map((_, i) =>
        rt.calls.mutate(
          i,
          fullKeys.map((fullKey) => new Ticket(fullKey, false, true, true)),
          fullKeys.length === 1 ? 'delete' : 'deleteMany',
          (tier, live) =>
            live.length === 1
              ? tier.delete((live[0] as Ticket).target, version, tombstoneUntil).then(Number)
              : tier.deleteMany(
                  live.map((ticket) => ticket.target),
                  version,
                  tombstoneUntil,
                ),
          { deadUntil: Number.NEGATIVE_INFINITY },
        ),
      ),
    )
    rt.stats.deletes += fullKeys.length
    await rt.announce({ keys: fullKeys })
    return Math.max(removed, ...outcomes.map((outcome) => (outcome.ok ? (outcome.value ?? 0) : 0)))
  }

  /** Removes every key starting with `prefix` from every tier, here and (by the bus) elsewhere. */
  async clear(prefix: string): Promise<void> {
    const rt = this.#rt
    rt.epochs.changedPrefix(prefix)
    rt.flights.supersedePrefix(prefix)
    rt.local?.clear(prefix)
    await Promise.all(
      rt.remotes.map((_, i) =>
        rt.calls.mutate(
          i,
          [new Ticket(prefix, true, true, true)],
          'clear',
          (tier) => tier.store.clear(prefix),
          { deadUntil: Number.NEGATIVE_INFINITY },
        ),
      ),
    )
    await rt.announce({ prefix })
  }

  /**
   * Stores `entry` only if no live entry exists, deciding on tier `owner` (atomic `add`
   * where the store has it), then fills the tiers above it. Resolves whether it stored.
   */
  async add(fullKey: string, entry: CacheEntry, owner: number): Promise<boolean> {
    const rt = this.#rt
    const bytes = encodeEntry(rt, fullKey, entry)
    const owned = capFor(this.#rt, owner, [{ fullKey, entry, bytes }])[0] as EncodedWrite
    const decided = await rt.calls.mutate(
      owner,
      [new Ticket(fullKey, false, false, false)],
      'add',
      (tier) => tier.store.add(fullKey, owned.bytes as Uint8Array, owned.entry.staleUntil),
      { deadUntil: owned.entry.staleUntil },
    )
    if (!decided.ok || decided.value !== true) return false
    rt.epochs.changed(fullKey)
    rt.flights.supersede(fullKey)
    const watch = rt.epochs.watch(fullKey)
    const write: RemoteWrite = { fullKey, entry, bytes, version: this.#stamp(entry.createdAt) }
    try {
      const outcomes = await Promise.all(
        rt.remotes.slice(0, owner).map((_, i) => this.#mutateWrites(i, [write], 'add')),
      )
      const refused = outcomes.some((outcome) => outcome.ok && outcome.value?.length)
      if (!refused && !rt.epochs.changedSince(watch)) setLocal(rt, fullKey, entry)
      else rt.local?.delete(fullKey)
    } catch (error) {
      rt.local?.delete(fullKey)
      throw error
    } finally {
      rt.epochs.end(watch)
    }
    rt.stats.sets++
    await rt.announce({ keys: [fullKey] })
    return true
  }

  /** Copies an entry read from remote tier `foundAt` into the remote tiers above it. */
  backfill(fullKey: string, entry: CacheEntry, foundAt: number): void {
    const rt = this.#rt
    let bytes: Uint8Array
    try {
      bytes = encodeEntry(rt, fullKey, entry)
    } catch (error) {
      rt.reportError(fullKey, undefined, 'backfill', error)
      return
    }
    for (let i = 0; i < foundAt; i++) {
      if (!rt.calls.readable(i, fullKey)) continue
      const held = capFor(this.#rt, i, [{ fullKey, entry, bytes }])[0] as EncodedWrite
      rt.calls
        .mutate(
          i,
          [new Ticket(fullKey, false, true, false)],
          'backfill',
          (tier) => tier.set(fullKey, held.bytes as Uint8Array, held.entry, entry.createdAt),
          { deadUntil: held.entry.staleUntil },
        )
        .catch(() => undefined)
    }
  }

  /** Recovery's repair: removes a fenced key or prefix from one tier, in order. */
  async repair(index: number, target: string, isPrefix: boolean): Promise<boolean> {
    const version = this.#stamp(this.#rt.clock())
    const tombstoneUntil = this.#tombstoneUntil()
    const outcome = await this.#rt.calls
      .mutate(
        index,
        [new Ticket(target, isPrefix, false, true)],
        isPrefix ? 'clear' : 'delete',
        (tier) =>
          isPrefix
            ? tier.store.clear(target)
            : tier.delete(target, version, tombstoneUntil).then(() => {}),
        { deadUntil: Number.NEGATIVE_INFINITY },
      )
      .catch(() => ({ ok: false }) as const)
    return outcome.ok
  }

  /** Writes every remote tier; resolves the keys some conditional tier refused as older. */
  async #writeRemotes(
    writes: readonly RemoteWrite[],
    turn?: Promise<void>,
  ): Promise<ReadonlySet<string>> {
    const outcomes = await Promise.all(
      this.#rt.remotes.map((_, i) =>
        this.#mutateWrites(i, writes, writes.length === 1 ? 'set' : 'setMany', turn),
      ),
    )
    const refused = outcomes.flatMap((outcome) => (outcome.ok ? (outcome.value ?? []) : []))
    return refused.length === 0 ? NONE_REFUSED : new Set(refused)
  }

  /**
   * After a write-behind job: a key some tier refused (it holds a newer value from
   * elsewhere) leaves the local tier too, unless a later write of this process holds it.
   */
  #dropRefused(writes: readonly RemoteWrite[], refused: ReadonlySet<string>): void {
    if (refused.size === 0) return
    for (const { fullKey, entry } of writes) {
      if (!refused.has(fullKey)) continue
      const held = this.#rt.local?.peek(fullKey)
      if (held !== undefined && held.createdAt <= entry.createdAt) this.#rt.local?.delete(fullKey)
    }
  }

  #mutateWrites(
    index: number,
    uncapped: readonly RemoteWrite[],
    operation: string,
    turn?: Promise<void>,
  ): Promise<CallOutcome<readonly string[] | undefined>> {
    const writes = capFor(this.#rt, index, uncapped)
    const deadUntil = Math.max(...writes.map((write) => write.entry.staleUntil))
    const tickets = writes.map((write) => new Ticket(write.fullKey, false, true, true))
    return this.#rt.calls.mutate(
      index,
      tickets,
      operation,
      async (tier, live) => {
        const wanted = live.length === writes.length ? writes : keep(writes, tickets, live)
        const single = wanted.length === 1 ? (wanted[0] as RemoteWrite) : undefined
        if (single === undefined) return tier.setMany(wanted.map(toStoreWrite))
        const written = await tier.set(single.fullKey, single.bytes, single.entry, single.version)
        return written ? [] : [single.fullKey]
      },
      turn === undefined ? { deadUntil } : { deadUntil, turn },
    )
  }

  /**
   * The version of a set or delete this process makes at `time`: never below one it made
   * before, so that a clock stepping back cannot make its later write lose to its earlier
   * one on a conditional tier. With a steady clock it is `time` itself.
   */
  #stamp(time: number): number {
    if (time > this.#floor) this.#floor = time
    return this.#floor
  }

  /** When a conditional delete made now stops refusing older writes. */
  #tombstoneUntil(): number {
    return this.#rt.clock() + this.#rt.options.tombstoneTtl
  }
}
