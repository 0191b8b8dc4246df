import { type Cache, type CacheBus, createCache, memory, type Tier } from '@stack/core'
import { pgBus, pgStore } from '@stack/pg'
import { redisBus, redisStore } from '@stack/redis'
import { CountingBus } from './counting-bus.ts'
import { scopedNames } from './names.ts'
import type { Backend, WorkerConfig } from './protocol.ts'

/** Hooks a worker gives its cache's bus. */
export interface BusHooks {
  afterMessage(): void
  onReconnect(): void
}

/**
 * Builds the cache a worker's config describes: `memory()` over the configured remote
 * tiers (Redis key prefix, PostgreSQL table and bus channel scoped to the test), with the
 * bus wrapped in a {@link CountingBus}.
 */
export function buildCache(
  config: WorkerConfig,
  hooks: BusHooks,
): { cache: Cache; bus: CountingBus | undefined } {
  const names = scopedNames(config.scope)
  const timeout = config.storeTimeoutMs ?? 1_000
  const tiers: Tier[] = [memory({ maxEntries: 10_000 })]
  for (const backend of config.tiers) {
    tiers.push(
      backend === 'redis'
        ? redisStore({ url: url(config, 'redis'), keyPrefix: names.redisKeyPrefix, timeout })
        : pgStore({ client: url(config, 'postgres'), table: names.cacheTable, timeout }),
    )
  }
  let inner: CacheBus | undefined
  if (config.bus === 'redis') {
    inner = redisBus({ url: url(config, 'redis'), channel: names.redisChannel, timeout })
  } else if (config.bus === 'postgres') {
    inner = pgBus({ client: url(config, 'postgres'), channel: names.postgresChannel, timeout })
  }
  const bus = inner && new CountingBus(inner, hooks.afterMessage, hooks.onReconnect)
  const cache = createCache({
    name: config.name,
    tiers,
    prefix: names.cachePrefix,
    ...(bus && { bus }),
    ...(config.ttlMs !== undefined && { ttl: config.ttlMs }),
    ...(config.graceMs !== undefined && { grace: config.graceMs }),
    ...(config.graceBackoffMs !== undefined && { graceBackoff: config.graceBackoffMs }),
    ...(config.hardTimeoutMs !== undefined && { hardTimeout: config.hardTimeoutMs }),
    ...(config.tierTimeoutMs !== undefined && { tierTimeout: config.tierTimeoutMs }),
    ...(config.circuitBreaker && {
      circuitBreaker: {
        failureThreshold: config.circuitBreaker.failureThreshold,
        cooldown: config.circuitBreaker.cooldownMs,
      },
    }),
    ...(config.distributedLock && {
      distributedLock: {
        timeout: config.distributedLock.timeoutMs,
        retryInterval: config.distributedLock.retryIntervalMs,
      },
    }),
  })
  return { cache, bus }
}

function url(config: WorkerConfig, backend: Backend): string {
  const value = backend === 'redis' ? config.redisUrl : config.postgresUrl
  if (value === undefined) throw new Error(`worker ${config.name}: no ${backend} URL configured`)
  return value
}
