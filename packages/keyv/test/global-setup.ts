import { startRedis } from '@stack/test-servers/redis'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Port of a real Redis for @keyv/redis, or 0 when redis-server is missing. */
    keyvRedisPort: number
  }
}

/** Starts one Redis server for the run: the backend of the Keyv adapter under test. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const redis = await startRedis()
  project.provide('keyvRedisPort', redis?.port ?? 0)
  return async () => {
    await redis?.stop()
  }
}
