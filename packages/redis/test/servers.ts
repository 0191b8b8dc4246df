import { inject } from 'vitest'

/** The shared standalone server's URL, or `undefined` when redis-server is missing. */
export const redisUrl: string | undefined =
  inject('redisPort') === 0 ? undefined : `redis://127.0.0.1:${inject('redisPort')}`

/** The shared Cluster's startup nodes (empty when redis-server is missing). */
export const clusterNodes = inject('redisClusterPorts').map((port) => ({
  host: '127.0.0.1',
  port,
}))
