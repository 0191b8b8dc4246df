import {
  findBinary,
  freePort,
  requireBinary,
  type ServerProcess,
  startProcess,
  waitForPort,
} from './process.js'

/** A `memcached` process on a loopback port. */
export interface MemcachedServer {
  readonly host: '127.0.0.1'
  readonly port: number
  /** `127.0.0.1:<port>`, the form memjs' server list takes. */
  readonly address: string
  /** Stops the process; the port stays reserved for {@link restart}. */
  kill(): Promise<void>
  /** Starts the process again (empty) on the same port and waits until it accepts connections. */
  restart(): Promise<void>
  /** Stops the process. */
  stop(): Promise<void>
}

export interface MemcachedOptions {
  /** Largest item the server stores, passed as `-I` (e.g. `'2m'`, `'512k'`); memcached's default is 1 MiB. */
  readonly maxItemSize?: string
  /** Memory for items in MiB (`-m`); default 64. */
  readonly memoryMb?: number
  /** More `memcached` arguments, e.g. `['-M']` (no evictions). */
  readonly extraArgs?: readonly string[]
}

/** Whether `memcached` is installed; see {@link requireBinary}. */
export function memcachedAvailable(): boolean {
  return requireBinary('memcached', 'memcached') !== undefined
}

function serverArgs(port: number, options: MemcachedOptions): string[] {
  const args = [
    '-l',
    '127.0.0.1',
    '-p',
    String(port),
    '-U',
    '0',
    '-m',
    String(options.memoryMb ?? 64),
  ]
  if (options.maxItemSize !== undefined) args.push('-I', options.maxItemSize)
  if (options.extraArgs !== undefined) args.push(...options.extraArgs)
  // memcached refuses to run as root unless told which user to stay.
  if (process.getuid?.() === 0) args.push('-u', 'root')
  return args
}

async function launch(port: number, options: MemcachedOptions): Promise<ServerProcess> {
  const child = startProcess(findBinary('memcached') ?? 'memcached', serverArgs(port, options))
  try {
    await waitForPort(port)
  } catch (error) {
    await child.stop()
    throw new Error(`memcached failed to start on ${port}:\n${child.output()}`, { cause: error })
  }
  return child
}

/**
 * Starts `memcached` on a free loopback port (TCP only), or returns `undefined` when
 * the binary is missing outside CI (see {@link requireBinary}). Start several for a pool.
 *
 * @example
 * ```ts
 * const [a, b] = await Promise.all([startMemcached(), startMemcached()])
 * const client = memjs.Client.create(`${a.address},${b.address}`)
 * await a.kill(); await a.restart() // an outage
 * ```
 */
export async function startMemcached(
  options: MemcachedOptions = {},
): Promise<MemcachedServer | undefined> {
  if (!memcachedAvailable()) return undefined
  const port = await freePort()
  let child: ServerProcess | undefined = await launch(port, options)
  const kill = async () => {
    await child?.stop()
    child = undefined
  }
  return {
    host: '127.0.0.1',
    port,
    address: `127.0.0.1:${port}`,
    kill,
    async restart() {
      await kill()
      child = await launch(port, options)
    },
    stop: kill,
  }
}
