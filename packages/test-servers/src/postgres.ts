import { execFile, execFileSync } from 'node:child_process'
import { chownSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import {
  findBinary,
  freePort,
  removeDir,
  requireBinary,
  type ServerProcess,
  startProcess,
  tempDir,
  waitForPort,
} from './process.js'

const run = promisify(execFile)

/** Where Debian's postgresql-15 package puts its server binaries. */
const PG_BIN_DIRS = ['/usr/lib/postgresql/15/bin']

/** A PostgreSQL server on a loopback port, trusting every local connection. */
export interface PostgresServer {
  readonly host: '127.0.0.1'
  readonly port: number
  /** Superuser name (trust authentication, no password). */
  readonly user: 'postgres'
  readonly database: 'postgres'
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  readonly url: string
  /** Stops the server (fast shutdown); the port and data stay for {@link restart}. */
  kill(): Promise<void>
  /** Starts the server again on the same port and data directory and waits until it is ready. */
  restart(): Promise<void>
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>
}

/** Whether `initdb`, `postgres` and `pg_ctl` are installed; see {@link requireBinary}. */
export function postgresAvailable(): boolean {
  return (
    requireBinary('initdb', 'postgresql', PG_BIN_DIRS) !== undefined &&
    requireBinary('postgres', 'postgresql', PG_BIN_DIRS) !== undefined &&
    requireBinary('pg_ctl', 'postgresql', PG_BIN_DIRS) !== undefined
  )
}

function binary(name: string): string {
  return findBinary(name, PG_BIN_DIRS) ?? name
}

/** PostgreSQL refuses to run as root: as root, run its binaries as the `postgres` user. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined
  const id = (flag: string) =>
    Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim())
  return { uid: id('-u'), gid: id('-g') }
}

async function waitUntilReady(port: number, socketDir: string, timeoutMs = 20_000) {
  await waitForPort(port, timeoutMs)
  const isReady = findBinary('pg_isready', PG_BIN_DIRS)
  if (!isReady) return
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const ready = await run(isReady, ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres'], {
      timeout: 5_000,
    }).then(
      () => true,
      () => false,
    )
    if (ready) return
    if (Date.now() > deadline) throw new Error(`postgres on ${port} (${socketDir}) is not ready`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

interface Instance {
  readonly port: number
  readonly dir: string
  readonly dataDir: string
  readonly user: { uid: number; gid: number } | undefined
}

async function launch(instance: Instance): Promise<ServerProcess> {
  const { port, dir, dataDir, user } = instance
  const child = startProcess(
    binary('postgres'),
    [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
    ],
    user ?? {},
  )
  try {
    await waitUntilReady(port, dir)
  } catch (error) {
    await child.stop()
    throw new Error(`postgres failed to start on ${port}:\n${child.output()}`, { cause: error })
  }
  return child
}

/** `pg_ctl stop -m fast`, then by pid if the server is still running. */
async function shutdown(instance: Instance, child: ServerProcess): Promise<void> {
  if (child.child.exitCode === null && child.child.signalCode === null) {
    await run(binary('pg_ctl'), ['stop', '-D', instance.dataDir, '-m', 'fast', '-w', '-t', '10'], {
      timeout: 15_000,
      ...(instance.user ?? {}),
    }).catch(() => undefined)
  }
  await child.stop()
}

/**
 * Initialises a fresh cluster in a temp directory and starts PostgreSQL on a free
 * loopback port with trust authentication, or returns `undefined` when the binaries
 * are missing outside CI (see {@link requireBinary}). Durability is off: test data only.
 *
 * @example
 * ```ts
 * const pg = await startPostgres()
 * const sql = postgres(pg.url)
 * await pg.kill(); await pg.restart() // an outage
 * await pg.stop()
 * ```
 */
export async function startPostgres(): Promise<PostgresServer | undefined> {
  if (!postgresAvailable()) return undefined
  const dir = tempDir('pg')
  const user = serverUser()
  if (user) chownSync(dir, user.uid, user.gid)
  const dataDir = join(dir, 'data')
  mkdirSync(dataDir, { mode: 0o700 })
  if (user) chownSync(dataDir, user.uid, user.gid)
  const initArgs = ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C']
  await run(binary('initdb'), [...initArgs, '--no-sync', '--no-instructions'], {
    timeout: 60_000,
    ...(user ?? {}),
  })
  const instance: Instance = { port: await freePort(), dir, dataDir, user }
  let child: ServerProcess | undefined = await launch(instance)
  const kill = async () => {
    if (child) await shutdown(instance, child)
    child = undefined
  }
  return {
    host: '127.0.0.1',
    port: instance.port,
    user: 'postgres',
    database: 'postgres',
    url: `postgres://postgres@127.0.0.1:${instance.port}/postgres`,
    kill,
    async restart() {
      await kill()
      child = await launch(instance)
    },
    async stop() {
      await kill()
      removeDir(dir)
    },
  }
}
