import { InvalidOptionError } from '@stack/core'
import type { OptionNames } from '@stack/core/store-kit'
import { Cluster, type ClusterNode, type ClusterOptions, Redis, type RedisOptions } from 'ioredis'

/** An ioredis client: a standalone `Redis` connection or a `Cluster`. */
export type RedisClient = Redis | Cluster

/** How a store or bus reaches Redis. Give at most one of `client`, `url` or `cluster`. */
export interface RedisConnectionOptions {
  /**
   * An existing ioredis `Redis` or `Cluster` client, recognised by shape (so a client
   * from another installed copy of ioredis works too). It must not use ioredis'
   * own `keyPrefix`; use the store's `keyPrefix` instead.
   */
  readonly client?: RedisClient | undefined
  /**
   * Whether `close()` also closes the connection. Defaults to `true` for a connection
   * the store created and `false` for a `client` you passed in.
   */
  readonly closeClient?: boolean | undefined
  /** A `redis://` or `rediss://` (TLS) URL, e.g. `redis://user:pass@host:6379/0`. */
  readonly url?: string | undefined
  /** ioredis options for a new standalone connection (combined with `url` if given). */
  readonly redis?: RedisOptions | undefined
  /** Startup nodes and ioredis options for a new Cluster client. */
  readonly cluster?:
    | { readonly nodes: readonly ClusterNode[]; readonly options?: ClusterOptions | undefined }
    | undefined
}

/** The names of {@link RedisConnectionOptions}, for the option readers of the store and the bus. */
export const CONNECTION_OPTIONS: OptionNames<RedisConnectionOptions> = {
  client: true,
  closeClient: true,
  url: true,
  redis: true,
  cluster: true,
}

/** A client plus whether its owner is the store (so `close()` must end it). */
export interface Connection {
  readonly client: RedisClient
  readonly created: boolean
  readonly closeClient: boolean
}

/** True for anything shaped like an ioredis `Redis` or `Cluster` client. */
function isRedisClient(value: unknown): value is RedisClient {
  if (typeof value !== 'object' || value === null) return false
  const candidate = value as Record<string, unknown>
  return (
    typeof candidate.getBuffer === 'function' &&
    typeof candidate.mgetBuffer === 'function' &&
    typeof candidate.pipeline === 'function' &&
    typeof candidate.duplicate === 'function' &&
    typeof candidate.status === 'string'
  )
}

/** True for an ioredis `Cluster` client. */
export function isCluster(client: RedisClient): client is Cluster {
  return client.isCluster === true
}

/**
 * ioredis settings that make a down server fail calls fast instead of queueing them:
 * no offline queue (the store waits for `ready` itself, within its timeout), and
 * commands in flight when the connection drops are rejected rather than replayed later.
 * No `commandTimeout`: the store's gate times every call already.
 */
const STANDALONE_DEFAULTS: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  retryStrategy: (attempt: number) => Math.min(attempt * 50, 1_000),
}

function parseUrl(url: unknown): string {
  if (typeof url !== 'string') throw new InvalidOptionError('url', 'url must be a string')
  let protocol: string
  try {
    protocol = new URL(url).protocol
  } catch (error) {
    throw new InvalidOptionError('url', `url is not a valid URL: '${url}'`, error)
  }
  if (protocol !== 'redis:' && protocol !== 'rediss:') {
    throw new InvalidOptionError('url', `url must start with redis:// or rediss://, got '${url}'`)
  }
  return url
}

function rejectIoredisPrefix(option: string, keyPrefix: string | undefined): void {
  if (keyPrefix) {
    throw new InvalidOptionError(
      option,
      `${option} sets ioredis' keyPrefix, which SCAN ignores; use the store's keyPrefix option instead`,
    )
  }
}

function checkClient(client: unknown): RedisClient {
  if (!isRedisClient(client)) {
    throw new InvalidOptionError('client', 'client must be an ioredis Redis or Cluster instance')
  }
  rejectIoredisPrefix('client', client.options.keyPrefix)
  return client
}

/**
 * Uses the given client or creates one from `url`, `redis` or `cluster` options
 * (`redis://127.0.0.1:6379` when none is given).
 */
export function connect(options: RedisConnectionOptions): Connection {
  const { client, url, redis, cluster } = options
  if (client !== undefined) {
    if (url !== undefined || redis !== undefined || cluster !== undefined) {
      throw new InvalidOptionError('client', 'pass either client or url/redis/cluster, not both')
    }
    return {
      client: checkClient(client),
      created: false,
      closeClient: options.closeClient ?? false,
    }
  }
  const closeClient = options.closeClient ?? true
  if (cluster !== undefined) {
    if (url !== undefined || redis !== undefined) {
      throw new InvalidOptionError('cluster', 'pass either cluster or url/redis, not both')
    }
    if (!Array.isArray(cluster.nodes) || cluster.nodes.length === 0) {
      throw new InvalidOptionError('cluster', 'cluster.nodes must list at least one startup node')
    }
    const clusterOptions = cluster.options ?? {}
    rejectIoredisPrefix(
      'cluster',
      clusterOptions.keyPrefix ?? clusterOptions.redisOptions?.keyPrefix,
    )
    const created = new Cluster([...cluster.nodes], {
      enableOfflineQueue: false,
      ...clusterOptions,
      redisOptions: {
        maxRetriesPerRequest: 0,
        ...clusterOptions.redisOptions,
      },
    })
    return { client: created, created: true, closeClient }
  }
  rejectIoredisPrefix('redis', redis?.keyPrefix)
  const settings = { ...STANDALONE_DEFAULTS, ...redis }
  const created = url === undefined ? new Redis(settings) : new Redis(parseUrl(url), settings)
  return { client: created, created: true, closeClient }
}
