import { startGcsServer } from '@stack/test-servers/gcs'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    /** `apiEndpoint` of the shared storage emulator, e.g. `http://127.0.0.1:41234`. */
    gcsEndpoint: string
    /** The emulator's project id. */
    gcsProjectId: string
  }
}

/** Starts one storage emulator for the whole run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startGcsServer()
  project.provide('gcsEndpoint', server.apiEndpoint)
  project.provide('gcsProjectId', server.projectId)
  return () => server.stop()
}
