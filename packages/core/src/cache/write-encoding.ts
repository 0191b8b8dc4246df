import type { CacheEntry } from '../entry.js'
import { SerializationError } from '../errors.js'
import { callerKey } from './keyspace.js'
import type { RemoteTier, VersionedWrite } from './remote-tier.js'
import type { CacheRuntime } from './runtime.js'
import { capEntry, NO_CAP } from './tier-caps.js'
import type { Ticket } from './tier-order.js'

/** One entry of a batch write, encoded once for every remote tier. */
export interface EncodedWrite {
  readonly fullKey: string
  readonly entry: CacheEntry
  readonly bytes: Uint8Array | undefined
}

/** A write on its way to the remote tiers, with the version conditional tiers compare. */
export interface RemoteWrite extends EncodedWrite {
  readonly bytes: Uint8Array
  readonly version: number
}

/**
 * `writes` as remote tier `index` takes them: clipped to its `maxTtl` from now (see
 * tier-caps.ts) and re-encoded where clipped; the same array when the tier has no cap.
 */
export function capFor<W extends EncodedWrite>(
  rt: CacheRuntime,
  index: number,
  writes: readonly W[],
): readonly W[] {
  const cap = rt.options.tierCaps.remotes[index] ?? NO_CAP
  if (cap === NO_CAP) return writes
  const now = rt.clock()
  return writes.map((write) => {
    const entry = capEntry(write.entry, cap, now)
    if (entry === write.entry) return write
    return { ...write, entry, bytes: encodeEntry(rt, write.fullKey, entry) }
  })
}

export function keep<W>(
  writes: readonly W[],
  tickets: readonly Ticket[],
  live: readonly Ticket[],
): W[] {
  const wanted = new Set(live)
  return writes.filter((_, j) => wanted.has(tickets[j] as Ticket))
}

export function toStoreWrite(write: RemoteWrite): VersionedWrite {
  return {
    key: write.fullKey,
    value: write.bytes,
    expiresAt: write.entry.staleUntil,
    version: write.version,
  }
}

/**
 * Encodes an entry for the remote tiers. A value that cannot be serialized fails with a
 * `SerializationError` naming the caller's key, before any tier is touched.
 */
export function encodeEntry(rt: CacheRuntime, fullKey: string, entry: CacheEntry): Uint8Array {
  try {
    return (rt.remotes[0] as RemoteTier).encode(fullKey, entry)
  } catch (error) {
    if (!SerializationError.isInstance(error)) throw error
    const key = callerKey(fullKey)
    throw new SerializationError(
      error.message.replace(`"${fullKey}"`, `"${key}"`),
      key,
      error.cause,
    )
  }
}
