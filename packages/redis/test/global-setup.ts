import { startRedis, startRedisCluster } from '@stack/test-servers/redis'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Port of the shared standalone server, or 0 when redis-server is missing. */
    redisPort: number
    /** Ports of the shared 3-master Cluster, or [] when redis-server is missing. */
    redisClusterPorts: number[]
  }
}

/** Starts one standalone server and one 3-master Cluster for the whole test run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [redis, cluster] = await Promise.all([startRedis(), startRedisCluster(3)])
  project.provide('redisPort', redis?.port ?? 0)
  project.provide('redisClusterPorts', cluster?.nodes.map((node) => node.port) ?? [])
  return async () => {
    await Promise.all([redis?.stop(), cluster?.stop()])
  }
}
