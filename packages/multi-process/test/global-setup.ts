import { startPostgres } from '@stack/test-servers/postgres'
import { startRedis } from '@stack/test-servers/redis'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the shared Redis, or `''` when redis-server is missing. */
    redisUrl: string
    /** URL of the shared PostgreSQL, or `''` when its binaries are missing. */
    postgresUrl: string
  }
}

/** One Redis and one PostgreSQL for the files that do not stop their servers. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [redis, postgres] = await Promise.all([startRedis(), startPostgres()])
  project.provide('redisUrl', redis?.url ?? '')
  project.provide('postgresUrl', postgres?.url ?? '')
  return async () => {
    await Promise.all([redis?.stop(), postgres?.stop()])
  }
}
