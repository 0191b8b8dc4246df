import { startPostgres } from '@stack/test-servers/postgres'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the harness' PostgreSQL server, or `''` when the binaries are missing. */
    postgresUrl: string
  }
}

/** Starts one PostgreSQL server for every test file; outage tests start their own. */
export default async function setup(project: TestProject) {
  const server = await startPostgres()
  project.provide('postgresUrl', server?.url ?? '')
  return async () => {
    await server?.stop()
  }
}
