import { inject } from 'vitest'

/** The test Redis server's URL, or `undefined` when redis-server is missing. */
export const redisUrl: string | undefined =
  inject('keyvRedisPort') === 0 ? undefined : `redis://127.0.0.1:${inject('keyvRedisPort')}`
