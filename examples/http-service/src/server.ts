import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Cache } from '@stack/core'
import type { User, Users } from './users.ts'

/** The tag every cached view of user `id` carries; a write invalidates it. */
export const userTag = (id: number) => `user:${id}`

/**
 * The HTTP API:
 * - `GET /users/:id`: the user, through the cache (tag `user:<id>`);
 * - `PUT /users/:id` with `{ name, email }`: writes the table, then invalidates the tag in
 *   every tier and, through the bus, in every other instance's memory;
 * - `GET /stats`: the cache's counters and how many times this instance read the table.
 */
export function createUsersServer(options: {
  instance: string
  cache: Cache
  users: Users
}): Server {
  const { instance, cache, users } = options
  let databaseReads = 0

  const loadUser = (id: number) =>
    cache.getOrSet(
      `user:${id}`,
      () => {
        databaseReads++
        return users.find(id)
      },
      { tags: [userTag(id)] },
    )

  const routes = async (request: IncomingMessage): Promise<[number, unknown]> => {
    const url = new URL(request.url ?? '/', 'http://localhost')
    const match = /^\/users\/(\d+)$/.exec(url.pathname)
    if (match && request.method === 'GET') {
      const user: User | null = await loadUser(Number(match[1]))
      return user ? [200, user] : [404, { error: 'no such user' }]
    }
    if (match && request.method === 'PUT') {
      const id = Number(match[1])
      const body = JSON.parse(await readBody(request)) as { name?: unknown; email?: unknown }
      if (typeof body.name !== 'string' || typeof body.email !== 'string') {
        return [400, { error: 'expected { "name": string, "email": string }' }]
      }
      if (!(await users.update(id, { name: body.name, email: body.email }))) {
        return [404, { error: 'no such user' }]
      }
      await cache.invalidateTags([userTag(id)])
      return [200, await loadUser(id)]
    }
    if (url.pathname === '/stats' && request.method === 'GET') {
      return [200, { instance, databaseReads, cache: cache.stats() }]
    }
    if (url.pathname === '/health') return [200, { instance, ok: true }]
    return [404, { error: 'not found' }]
  }

  return createServer((request, response) => {
    routes(request).then(
      ([status, body]) => reply(response, status, body, instance),
      (error: unknown) => reply(response, 500, { error: String(error) }, instance),
    )
  })
}

function reply(response: ServerResponse, status: number, body: unknown, instance: string): void {
  response.writeHead(status, { 'content-type': 'application/json', 'x-instance': instance })
  response.end(JSON.stringify(body))
}

async function readBody(request: IncomingMessage): Promise<string> {
  let body = ''
  for await (const chunk of request) body += chunk
  return body
}
