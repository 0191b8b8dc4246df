/**
 * Redis store (standalone and Cluster) and pub/sub invalidation bus for `@stack/core`,
 * on ioredis.
 *
 * @packageDocumentation
 */
export { RedisBus, type RedisBusOptions, redisBus } from './bus.js'
export type { RedisClient, RedisConnectionOptions } from './client.js'
export type { RedisStoreOptions } from './options.js'
export { RedisStore, redisStore } from './store.js'
