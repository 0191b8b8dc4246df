/**
 * One instance of the users service. Configure it with environment variables:
 * `PORT` (default 3000), `REDIS_URL`, `DATABASE_URL`, `INSTANCE` (a name for logs).
 */
import postgres from 'postgres'
import { createServiceCache } from './cache.ts'
import { createUsersServer } from './server.ts'
import { Users } from './users.ts'

const port = Number(process.env.PORT ?? 3000)
const instance = process.env.INSTANCE ?? `users-${port}`
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

const sql = postgres(databaseUrl, { max: 5, onnotice: () => {} })
const users = new Users(sql)
await users.migrate()
const cache = createServiceCache({ name: instance, redisUrl, databaseUrl })
const server = createUsersServer({ instance, cache, users })

server.listen(port, '127.0.0.1', () => {
  console.log(`${instance} listening on http://127.0.0.1:${port}`)
})

const shutdown = () => {
  server.close()
  server.closeAllConnections()
  Promise.allSettled([cache.close(), sql.end({ timeout: 1 })]).then(() => process.exit(0))
}
process.once('SIGTERM', shutdown)
process.once('SIGINT', shutdown)
