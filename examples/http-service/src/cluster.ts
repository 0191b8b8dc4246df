/**
 * Starts 3 instances of the users service on different ports over one Redis and one
 * PostgreSQL, writes through one instance and reads through the others, and prints
 * whether every read returned the latest write.
 *
 * Uses `REDIS_URL` and `DATABASE_URL` when set; otherwise starts throwaway servers with
 * the repository's test harness (needs `redis-server` and PostgreSQL installed).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { freePort } from '@stack/test-servers/process'
import type { User } from './users.ts'

const INSTANCES = 3
const WRITES = 30

interface Backends {
  redisUrl: string
  databaseUrl: string
  stop(): Promise<void>
}

async function backends(): Promise<Backends> {
  const { REDIS_URL, DATABASE_URL } = process.env
  if (REDIS_URL && DATABASE_URL) {
    return { redisUrl: REDIS_URL, databaseUrl: DATABASE_URL, stop: async () => {} }
  }
  const { startRedis } = await import('@stack/test-servers/redis')
  const { startPostgres } = await import('@stack/test-servers/postgres')
  const [redis, pg] = await Promise.all([startRedis(), startPostgres()])
  if (!redis || !pg) {
    await Promise.all([redis?.stop(), pg?.stop()])
    throw new Error('set REDIS_URL and DATABASE_URL, or install redis-server and PostgreSQL')
  }
  console.log(`started Redis at ${redis.url} and PostgreSQL at ${pg.url}`)
  return {
    redisUrl: redis.url,
    databaseUrl: pg.url,
    stop: async () => {
      await Promise.all([redis.stop(), pg.stop()])
    },
  }
}

interface Instance {
  readonly name: string
  readonly url: string
  readonly child: ChildProcess
}

async function startInstance(index: number, env: Backends): Promise<Instance> {
  const port = await freePort()
  const name = `users-${index + 1}`
  const child = spawn(
    process.execPath,
    [
      '--experimental-strip-types',
      '--no-warnings',
      fileURLToPath(new URL('./main.ts', import.meta.url)),
    ],
    {
      env: {
        ...process.env,
        PORT: String(port),
        INSTANCE: name,
        REDIS_URL: env.redisUrl,
        DATABASE_URL: env.databaseUrl,
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  )
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 20_000
  for (;;) {
    const up = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    )
    if (up) return { name, url, child }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${name} did not start`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

async function getUser(instance: Instance, id: number): Promise<User> {
  const response = await fetch(`${instance.url}/users/${id}`)
  if (!response.ok) throw new Error(`${instance.name}: GET /users/${id} -> ${response.status}`)
  return (await response.json()) as User
}

async function putUser(instance: Instance, id: number, name: string): Promise<void> {
  const response = await fetch(`${instance.url}/users/${id}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, email: `${name.replaceAll(' ', '.')}@example.com` }),
  })
  if (!response.ok) throw new Error(`${instance.name}: PUT /users/${id} -> ${response.status}`)
}

async function databaseReads(instance: Instance): Promise<number> {
  const stats = (await (await fetch(`${instance.url}/stats`)).json()) as { databaseReads: number }
  return stats.databaseReads
}

const env = await backends()
const instances: Instance[] = []
try {
  for (let i = 0; i < INSTANCES; i++) instances.push(await startInstance(i, env))

  // Every instance caches user 1 in its memory tier.
  for (const instance of instances) {
    const user = await getUser(instance, 1)
    console.log(`${instance.name}: GET /users/1 -> ${user.name}`)
  }

  // Write through one instance, read right away through the others. A read that races
  // the bus message (it arrives about a millisecond after the write) may still see the
  // previous name: it is read again every 10 ms until it converges (at most 1 s).
  let racing = 0
  let slowestMs = 0
  let diverged = 0
  for (let write = 1; write <= WRITES; write++) {
    const writer = instances[write % INSTANCES] as Instance
    const name = `renamed ${write}`
    await putUser(writer, 1, name)
    const written = performance.now()
    await Promise.all(
      instances
        .filter((i) => i !== writer)
        .map(async (reader) => {
          let user = await getUser(reader, 1)
          if (write <= 3)
            console.log(`PUT on ${writer.name} "${name}" -> ${reader.name} reads "${user.name}"`)
          if (user.name === name) return
          racing++
          while (user.name !== name && performance.now() - written < 1_000) {
            await new Promise((resolve) => setTimeout(resolve, 10))
            user = await getUser(reader, 1)
          }
          if (user.name !== name) diverged++
          slowestMs = Math.max(slowestMs, performance.now() - written)
        }),
    )
  }
  const reads = WRITES * (INSTANCES - 1)
  console.log(
    diverged === 0
      ? `coherent: ${WRITES} writes, ${reads} reads on the other instances right after each write: ` +
          (racing === 0
            ? 'every read returned the new name'
            : `${racing} raced the bus and saw the previous name at first, all converged within ${slowestMs.toFixed(0)} ms`)
      : `NOT coherent: ${diverged} of ${reads} reads still served an older user after 1 s`,
  )

  // Reads without writes stay in memory: the database is not asked again.
  const before = await Promise.all(instances.map(databaseReads))
  for (let i = 0; i < 100; i++) await getUser(instances[i % INSTANCES] as Instance, 1)
  const after = await Promise.all(instances.map(databaseReads))
  const extra = after.reduce((sum, n, i) => sum + n - (before[i] ?? 0), 0)
  console.log(`100 more reads across the instances: ${extra} database reads`)
  process.exitCode = diverged === 0 ? 0 : 1
} finally {
  await Promise.all(
    instances.map(async ({ child }) => {
      if (child.exitCode !== null) return
      child.kill('SIGTERM')
      await once(child, 'exit')
    }),
  )
  await env.stop()
}
