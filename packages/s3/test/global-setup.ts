import { startS3Server } from '@stack/test-servers/s3'
import type { TestProject } from 'vitest/node'

/** The bucket every test file shares; each file works under its own prefix. */
export const TEST_BUCKET = 'stack-test'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Endpoint of the shared s3rver, e.g. `http://127.0.0.1:41234`. */
    s3Endpoint: string
  }
}

/** Starts one s3rver for the whole run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startS3Server({ buckets: [TEST_BUCKET] })
  project.provide('s3Endpoint', server.endpoint)
  return () => server.stop()
}
