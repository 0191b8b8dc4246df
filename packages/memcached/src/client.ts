import { InvalidOptionError } from '@stack/core'
import memjs from 'memjs'

/** What the store uses of a memjs `Server` (one connection of a client). */
export interface MemjsServer {
  onResponse(seq: number, callback: (response: MemjsResponse) => void): void
  onError(seq: number, callback: (error: Error) => void): void
  write(request: Uint8Array): void
}

/** A response as memjs parses it. */
export interface MemjsResponse {
  readonly header: {
    readonly opcode: number
    readonly status: number
    readonly totalBodyLength: number
    readonly cas: Buffer
  }
  readonly key: Buffer
  readonly val: Buffer
}

/**
 * What the store uses of a memjs `Client`: its servers, its routing and request
 * sequence, and `perform`. Declared here so that this package's types do not depend on
 * `@types/memjs`; any memjs 1.x client fits.
 */
export interface MemjsClient {
  readonly servers: readonly MemjsServer[]
  readonly seq: number
  /** The server memjs routes `key` to (honouring `getServer` and failover), if any. */
  server(key: string): MemjsServer | null | undefined
  perform(
    key: string,
    request: Buffer,
    seq: number,
    callback: (error: Error | null, response?: MemjsResponse) => void,
  ): void
  incrSeq(): void
  close(): void
  /** memjs' options; the store reads `retries` and `failover` (see `Transport.retries`). */
  readonly options?:
    | { readonly retries?: number | undefined; readonly failover?: boolean | undefined }
    | undefined
}

/** How the store reaches memcached: a memjs client, or servers as `'host:port,...'` or a list. */
export type MemcachedConnection = MemjsClient | string | readonly string[]

const SILENT = { log: () => undefined }

/** True for a memjs `Client`, recognised by shape so that any installed copy works. */
export function isMemjsClient(value: unknown): value is MemjsClient {
  if (typeof value !== 'object' || value === null) return false
  const candidate = value as Record<string, unknown>
  return (
    Array.isArray(candidate.servers) &&
    typeof candidate.perform === 'function' &&
    typeof candidate.incrSeq === 'function' &&
    typeof candidate.server === 'function' &&
    typeof candidate.close === 'function'
  )
}

/**
 * The client to use and whether the store owns it (and so closes it). A client created
 * here tries each request once (the store's timeout bounds it), uses the store's
 * timeout for connecting and answering, and logs nothing.
 */
export function resolveClient(
  connection: MemcachedConnection | undefined,
  timeoutMs: number,
): { client: MemjsClient; owned: boolean } {
  if (isMemjsClient(connection)) return { client: connection, owned: false }
  const servers = typeof connection === 'string' ? connection : connection?.join(',')
  if (servers === undefined && connection !== undefined) {
    throw new InvalidOptionError(
      'client',
      'client must be a memjs Client, "host:port,host:port" or a list of "host:port"',
    )
  }
  if (servers !== undefined && !/^[^,\s]+(,[^,\s]+)*$/.test(servers)) {
    throw new InvalidOptionError(
      'client',
      `client lists no usable server: ${JSON.stringify(servers)}`,
    )
  }
  const seconds = timeoutMs / 1000
  const client: MemjsClient = memjs.Client.create(servers ?? '127.0.0.1:11211', {
    retries: 1,
    timeout: seconds,
    conntimeout: seconds,
    keepAlive: true,
    logger: SILENT,
  })
  return { client, owned: true }
}
