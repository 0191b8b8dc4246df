import { type Cache, createCache, memory } from '@stack/core'
import { pgStore } from '@stack/pg'
import { redisBus, redisStore } from '@stack/redis'

/**
 * The service's cache: hot entries in this process' memory, shared ones in Redis, and
 * PostgreSQL as the last tier (it survives a Redis restart). The Redis bus tells the
 * other instances what changed, so none of them keeps serving an old user from memory.
 */
export function createServiceCache(options: {
  name: string
  redisUrl: string
  databaseUrl: string
}): Cache {
  return createCache({
    name: options.name,
    prefix: 'users-service',
    tiers: [
      memory({ maxEntries: 10_000 }),
      redisStore({ url: options.redisUrl, timeout: '250ms' }),
      pgStore({ client: options.databaseUrl, table: 'users_service_cache', timeout: '500ms' }),
    ],
    bus: redisBus({ url: options.redisUrl, channel: 'users-service:invalidate' }),
    ttl: '10m',
    // When the database is down, keep answering with what we had for up to an hour.
    grace: '1h',
    hardTimeout: '2s',
    distributedLock: { timeout: '5s' },
  })
}
