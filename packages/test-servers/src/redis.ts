import { execFile } from 'node:child_process'
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

/** A standalone `redis-server` on a loopback port, with its data in a temp dir. */
export interface RedisServer {
  readonly host: '127.0.0.1'
  readonly port: number
  /** `redis://127.0.0.1:<port>` */
  readonly url: string
  /** Stops the process (the port stays reserved for {@link restart}). */
  kill(): Promise<void>
  /** Starts the process again on the same port and waits until it answers PING. */
  restart(): Promise<void>
  /** Freezes the process (SIGSTOP): connections stay open but nothing is answered. */
  pause(): void
  /** Thaws a {@link pause}d process (SIGCONT). */
  resume(): void
  /** Stops the process and removes its data directory. */
  stop(): Promise<void>
}

/** A Redis Cluster of `masters` masters and no replicas, all slots assigned. */
export interface RedisCluster {
  readonly nodes: readonly { readonly host: '127.0.0.1'; readonly port: number }[]
  /** Stops the node on `port` (the others keep running), for failover tests. */
  killNode(port: number): Promise<void>
  /** Stops every node and removes their data directories. */
  stop(): Promise<void>
}

/** Whether `redis-server` and `redis-cli` are installed; see {@link requireBinary}. */
export function redisAvailable(): boolean {
  return (
    requireBinary('redis-server', 'redis-server') !== undefined &&
    requireBinary('redis-cli', 'redis-server') !== undefined
  )
}

/** Runs `redis-cli -p <port> <args...>` and returns its output. */
export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const cli = findBinary('redis-cli') ?? 'redis-cli'
  const { stdout } = await run(cli, ['-h', '127.0.0.1', '-p', String(port), ...args], {
    timeout: 10_000,
  })
  return stdout.trim()
}

async function waitForPing(port: number, timeoutMs = 20_000): Promise<void> {
  await waitForPort(port, timeoutMs)
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const reply = await redisCli(port, 'ping').catch(() => '')
    if (reply === 'PONG') return
    if (Date.now() > deadline) throw new Error(`redis on port ${port} does not answer PING`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

function serverArgs(port: number, dir: string, extra: readonly string[]): string[] {
  return [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    ...extra,
  ]
}

async function launch(port: number, dir: string, extra: readonly string[]): Promise<ServerProcess> {
  const binary = findBinary('redis-server') ?? 'redis-server'
  const child = startProcess(binary, serverArgs(port, dir, extra))
  try {
    await waitForPing(port)
  } catch (error) {
    await child.stop()
    throw new Error(`redis-server failed to start on ${port}:\n${child.output()}`, { cause: error })
  }
  return child
}

/** Options of {@link startRedis}. */
export interface StartRedisOptions {
  /** More `redis-server` arguments, e.g. `['--maxmemory-policy', 'allkeys-lru']`; kept on restart. */
  readonly extraArgs?: readonly string[]
}

/**
 * Starts a standalone `redis-server` on a free loopback port, or returns `undefined`
 * when the binary is missing outside CI (see {@link requireBinary}).
 *
 * @example
 * ```ts
 * const redis = await startRedis()
 * if (redis) { ...; await redis.stop() }
 * const evicting = await startRedis({ extraArgs: ['--maxmemory-policy', 'allkeys-lru'] })
 * ```
 */
export async function startRedis(
  options: StartRedisOptions = {},
): Promise<RedisServer | undefined> {
  if (!redisAvailable()) return undefined
  const port = await freePort()
  const dir = tempDir('redis')
  const extra = options.extraArgs ?? []
  let child: ServerProcess | undefined = await launch(port, dir, extra)
  return {
    host: '127.0.0.1',
    port,
    url: `redis://127.0.0.1:${port}`,
    async kill() {
      await child?.stop()
      child = undefined
    },
    async restart() {
      await child?.stop()
      child = await launch(port, dir, extra)
    },
    pause() {
      child?.child.kill('SIGSTOP')
    },
    resume() {
      child?.child.kill('SIGCONT')
    },
    async stop() {
      await child?.stop()
      child = undefined
      removeDir(dir)
    },
  }
}

async function waitForClusterOk(ports: readonly number[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (const port of ports) {
    for (;;) {
      const info = await redisCli(port, 'cluster', 'info').catch(() => '')
      if (info.includes('cluster_state:ok')) break
      if (Date.now() > deadline) throw new Error(`cluster node ${port} not ok:\n${info}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
}

/**
 * Starts a Redis Cluster of `masters` (default 3) `redis-server` processes with no
 * replicas on free loopback ports, and waits until every node reports
 * `cluster_state:ok`. Returns `undefined` when the binaries are missing outside CI.
 *
 * @example
 * ```ts
 * const cluster = await startRedisCluster()
 * const client = new Cluster(cluster.nodes)
 * ```
 */
export async function startRedisCluster(masters = 3): Promise<RedisCluster | undefined> {
  if (!redisAvailable()) return undefined
  const nodes: { port: number; dir: string; child: ServerProcess }[] = []
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.child.stop()))
    for (const node of nodes) removeDir(node.dir)
  }
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freePort()
      const busPort = await freePort()
      const dir = tempDir('redis-cluster')
      const child = await launch(port, dir, [
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        'nodes.conf',
        '--cluster-port',
        String(busPort),
        '--cluster-node-timeout',
        '5000',
      ])
      nodes.push({ port, dir, child })
    }
    const cli = findBinary('redis-cli') ?? 'redis-cli'
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`)
    await run(
      cli,
      ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'],
      {
        timeout: 30_000,
      },
    )
    await waitForClusterOk(nodes.map((node) => node.port))
  } catch (error) {
    await stop()
    throw error
  }
  return {
    nodes: nodes.map((node) => ({ host: '127.0.0.1', port: node.port })),
    async killNode(port) {
      await nodes.find((node) => node.port === port)?.child.stop()
    },
    stop,
  }
}
