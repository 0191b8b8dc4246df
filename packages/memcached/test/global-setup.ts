import { startMemcached } from '@stack/test-servers/memcached'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    /** `host:port` of the harness' two memcached servers, or `[]` when memcached is missing. */
    memcachedServers: string[]
  }
}

/** Starts two memcached servers for every test file; outage tests start their own. */
export default async function setup(project: TestProject) {
  const servers = await Promise.all([startMemcached(), startMemcached()])
  project.provide(
    'memcachedServers',
    servers.flatMap((server) => (server ? [server.address] : [])),
  )
  return async () => {
    await Promise.all(servers.map((server) => server?.stop()))
  }
}
