import {
  type Cache,
  type CacheEntry,
  createCache,
  EnvelopeCodec,
  MemoryBusHub,
  type MemoryTier,
  memory,
  memoryStore,
  type RemoteStore,
  structuredSerializer,
} from '../../src/index.js'
import { fakeClock } from '../cache/helpers.js'
import { GRACE_BACKOFF, type Scope, type SystemConfig, TTL } from './commands.js'
import type { ModelEntry, ModelPolicy } from './reference-cache.js'

/**
 * The real engine a command sequence runs against: the cache under test, and (when it
 * has remote tiers) another cache sharing them, as a second process would. Every tier
 * reads the one fake clock.
 */
export class System {
  readonly clock = fakeClock()
  readonly start = this.clock.now()
  readonly policy: ModelPolicy
  readonly cache: Cache
  readonly other: Cache | undefined
  readonly local: MemoryTier<CacheEntry> | undefined
  readonly remotes: readonly RemoteStore[]
  readonly #codec = new EnvelopeCodec({
    serializer: structuredSerializer,
    compressThreshold: Number.POSITIVE_INFINITY,
  })

  constructor(readonly config: SystemConfig) {
    this.policy = {
      ttl: TTL,
      staleWhileRevalidate: config.staleWhileRevalidate,
      grace: config.grace,
      graceBackoff: GRACE_BACKOFF,
    }
    const now = this.clock.now
    this.local = config.local ? memory<CacheEntry>({ clock: now }) : undefined
    this.remotes = Array.from({ length: config.remotes }, () => memoryStore({ clock: now }))
    const hub = config.bus ? new MemoryBusHub() : undefined
    // The model's tags are cache-wide; namespace-scoped tags are tested in test/faults.
    const options = {
      clock: now,
      tagScope: 'cache' as const,
      ...this.policy,
      ...(hub && { bus: hub.bus() }),
    }
    this.cache = createCache({
      ...options,
      tiers: this.local ? [this.local, ...this.remotes] : this.remotes,
    })
    this.other =
      this.remotes.length === 0
        ? undefined
        : createCache({ ...options, ...(hub && { bus: hub.bus() }), tiers: this.remotes })
  }

  view(scope: Scope, cache: Cache = this.cache): Cache {
    return scope === 'root' ? cache : cache.namespace(scope)
  }

  /** What each tier physically holds for `fullKey`, fastest tier first. */
  async tierEntries(fullKey: string): Promise<(ModelEntry | undefined)[]> {
    const remote = await Promise.all(
      this.remotes.map(async (store) => {
        const bytes = await store.get(fullKey)
        return bytes && toModel(this.#codec.decode(fullKey, bytes))
      }),
    )
    if (this.local === undefined) return remote
    const held = this.local.peek(fullKey)
    return [held && toModel(held), ...remote]
  }

  /** The tag timestamp each remote tier holds (`undefined` when none). */
  async tagTimestamps(tag: string, hard: boolean): Promise<(number | undefined)[]> {
    const key = `!tag:${hard ? 'i' : 'e'}:#${tag}`
    return Promise.all(
      this.remotes.map(async (store) => {
        const bytes = await store.get(key)
        // A 16-byte checked record; the timestamp is its last 8 bytes.
        return bytes && new DataView(bytes.buffer, bytes.byteOffset, 16).getFloat64(8, true)
      }),
    )
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.cache.close(), this.other?.close()])
  }
}

function toModel(entry: CacheEntry): ModelEntry {
  const { value, createdAt, freshUntil, staleUntil, tags } = entry
  return { value: value as number, createdAt, freshUntil, staleUntil, tags: [...tags] }
}

/** Lets background refreshes, backfills and bus deliveries (all promise-driven) finish. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve))
}
