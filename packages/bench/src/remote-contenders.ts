/**
 * The contenders of the remote-concurrency benchmark, per backend: the raw client (one
 * call per key, auto-pipelined where the client offers it, and its batch read), @stack
 * (remote-only with and without read coalescing, and memory → remote with a cold memory
 * tier), bentocache (L2 only, and L1 → L2 with a cold L1) and cache-manager 7 over Keyv
 * (the remote store alone, and an LRU in front of it), all seeded with the same keys.
 */
import KeyvMemcache from '@keyv/memcache'
import KeyvPostgres from '@keyv/postgres'
import KeyvRedis from '@keyv/redis'
import { type Cache, createCache, memory, type RemoteStore } from '@stack/core'
import { memcachedStore } from '@stack/memcached'
import { pgStore } from '@stack/pg'
import { redisStore } from '@stack/redis'
import { BentoCache, bentostore } from 'bentocache'
import { kyselyDriver } from 'bentocache/drivers/kysely'
import { memoryDriver } from 'bentocache/drivers/memory'
import { redisDriver } from 'bentocache/drivers/redis'
import { createCache as createCacheManager } from 'cache-manager'
import { Redis } from 'ioredis'
import { Keyv, type KeyvStoreAdapter } from 'keyv'
import { Kysely, PostgresDialect } from 'kysely'
import { LRUCache } from 'lru-cache'
import memjs from 'memjs'
import pg from 'pg'
import postgres from 'postgres'

/** Reads of one key through one library; `undefined` when it has no such call. */
export type Read = (key: string) => Promise<unknown>

/** Everything measured on one backend. */
export interface Backend {
  readonly name: string
  /** One call per key on a client that sends each command on its own. */
  readonly rawSingle: Read
  /** One call per key on a client that pipelines concurrent calls (Redis only). */
  readonly rawPipelined: Read | undefined
  /** The client's own batch read of several keys, in one round trip where it has one. */
  readonly rawBatch: (keys: readonly string[]) => Promise<unknown>
  readonly rawBatchName: string
  /**
   * The same batch read, each value then `JSON.parse`d: what an application reading the
   * backend by hand must do before it can use a value (the raw batch returns bytes).
   */
  readonly rawBatchParsed: (keys: readonly string[]) => Promise<unknown>
  /** Caches under test, by label; each reads `keys` seeded with `{ id }`. */
  readonly caches: readonly Contender[]
  /** The store under @stack's caches, for its own `getMany`. */
  readonly store: RemoteStore
  close(): Promise<void>
}

/** One library configuration, with its `get` and its `getOrSet` hit. */
export interface Contender {
  readonly label: string
  readonly ours: boolean
  readonly get: Read
  readonly getOrSet: Read
  readonly getMany?: (keys: readonly string[]) => Promise<unknown>
}

/** One library's contenders, and how to store `{ id }` under a key for all of them. */
export interface Contenders {
  readonly contenders: readonly Contender[]
  readonly seed: (key: string, id: number) => Promise<unknown>
}

/**
 * Seeds every key for every library, one key at a time across all of them: where a
 * server placed a key shows in its read time (on Redis, keys written later read up to 8%
 * faster), so no contender may read younger keys than another.
 */
async function seedInterleaved(
  keys: readonly string[],
  seeds: readonly ((key: string, id: number) => Promise<unknown>)[],
): Promise<void> {
  for (const [id, key] of keys.entries()) for (const seed of seeds) await seed(key, id)
}

/** Memory tiers of the cold-L1 contenders hold this few entries of the 1,000-key rotation. */
export const COLD_L1_ENTRIES = 10
const HOUR_MS = 3_600_000
const loader = () => ({ id: -1 })

/** @stack contenders on `store` (remote-only coalesced, not coalesced, and cold memory tier). */
export function stackContenders(store: RemoteStore): Contenders {
  const remote = createCache({ tiers: [store], ttl: '1h', prefix: 'stack' })
  const uncoalesced = createCache({
    tiers: [store],
    ttl: '1h',
    prefix: 'stack',
    coalesceReads: false,
  })
  const cold = createCache({
    tiers: [memory({ maxEntries: COLD_L1_ENTRIES }), store],
    ttl: '1h',
    prefix: 'stack',
  })
  const contender = (label: string, cache: Cache): Contender => ({
    label,
    ours: true,
    get: (key) => cache.get(key),
    getOrSet: (key) => cache.getOrSet(key, loader),
    getMany: (many) => cache.getMany(many),
  })
  return {
    contenders: [
      contender('@stack', remote),
      contender('@stack, coalesceReads: false', uncoalesced),
      contender('@stack memory → remote, cold memory', cold),
    ],
    seed: (key, id) => remote.set(key, { id }),
  }
}

/** bentocache L2-only and L1 → L2 (cold L1) contenders on one L2 driver. */
function bentoContenders(
  l2: Parameters<ReturnType<typeof bentostore>['useL2Layer']>[0],
): Contenders {
  const bento = new BentoCache({
    default: 'l2',
    stores: {
      l2: bentostore().useL2Layer(l2),
      cold: bentostore()
        .useL1Layer(memoryDriver({ maxItems: COLD_L1_ENTRIES }))
        .useL2Layer(l2),
    },
  })
  const l2Only = bento.use('l2')
  const contender = (label: string, cache: typeof l2Only): Contender => ({
    label,
    ours: false,
    get: (key) => cache.get({ key }),
    getOrSet: (key) => cache.getOrSet({ key, factory: loader, ttl: '1h' }),
  })
  return {
    contenders: [
      contender('bentocache L2', l2Only),
      contender('bentocache L1 → L2, cold L1', bento.use('cold')),
    ],
    seed: async (key, id) => {
      await l2Only.set({ key, value: { id }, ttl: '1h' })
    },
  }
}

/** cache-manager 7 on one Keyv store adapter, alone and behind a small LRU. */
function managerContenders(adapter: KeyvStoreAdapter): Contenders {
  const remote = new Keyv({ store: adapter, namespace: 'cm' })
  const alone = createCacheManager({ stores: [remote] })
  const lru = new Keyv({ store: new LRUCache<string, object>({ max: COLD_L1_ENTRIES }) })
  const layered = createCacheManager({ stores: [lru, remote] })
  const contender = (label: string, cache: typeof alone): Contender => ({
    label,
    ours: false,
    get: (key) => cache.get(key),
    getOrSet: (key) => cache.wrap(key, loader, HOUR_MS),
  })
  return {
    contenders: [
      contender('cache-manager (Keyv)', alone),
      contender('cache-manager LRU → Keyv, cold LRU', layered),
    ],
    seed: async (key, id) => {
      await alone.set(key, { id }, HOUR_MS)
    },
  }
}

export async function redisBackend(
  url: string,
  port: number,
  keys: readonly string[],
): Promise<Backend> {
  const raw = new Redis(port, '127.0.0.1')
  const pipelined = new Redis(port, '127.0.0.1', { enableAutoPipelining: true })
  const store = redisStore({ url, keyPrefix: 'b:' })
  const bentoRedis = new Redis(port, '127.0.0.1')
  const keyvRedis = new KeyvRedis<unknown>(url)
  const libraries = [
    stackContenders(store),
    bentoContenders(redisDriver({ connection: bentoRedis })),
    managerContenders(keyvRedis),
  ]
  await seedInterleaved(keys, [
    (key, id) => raw.set(`raw:${key}`, JSON.stringify({ id })),
    ...libraries.map((library) => library.seed),
  ])
  const caches = libraries.flatMap((library) => library.contenders)
  return {
    name: 'Redis',
    rawSingle: (key) => raw.getBuffer(`raw:${key}`),
    rawPipelined: (key) => pipelined.getBuffer(`raw:${key}`),
    rawBatch: (many) => raw.mgetBuffer(many.map((key) => `raw:${key}`)),
    rawBatchName: 'ioredis MGET',
    rawBatchParsed: async (many) =>
      (await raw.mgetBuffer(many.map((key) => `raw:${key}`))).map((value) =>
        value === null ? undefined : JSON.parse(value.toString()),
      ),
    caches,
    store,
    async close() {
      raw.disconnect()
      pipelined.disconnect()
      bentoRedis.disconnect()
      await keyvRedis.disconnect()
      await store.close()
    },
  }
}

export async function postgresBackend(url: string, keys: readonly string[]): Promise<Backend> {
  const raw = postgres(url, { onnotice: () => undefined, max: 10 })
  await raw`CREATE TABLE raw_cache (key text PRIMARY KEY, value bytea NOT NULL)`
  // bentocache 1.6's Kysely adapter writes a Date into the bigint column it creates on
  // PostgreSQL, so the bench creates its table with a timestamp column instead.
  await raw`CREATE TABLE bento_cache (key varchar(255) PRIMARY KEY, value text, expires_at timestamptz)`
  // The raw client's pool: with a pool of its own, a serial read's time depended on whose
  // backend processes happened to be awake (0.7–1.25× raw for the same query), not on
  // the client; on one pool the store and the raw queries are served alike.
  const store = pgStore({ client: raw, table: 'stack_cache', purgeInterval: false })
  const pool = new pg.Pool({ connectionString: url, max: 10 })
  const kysely = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) })
  const keyvPostgres = new KeyvPostgres({ uri: url, table: 'keyv_cache' })
  const libraries = [
    stackContenders(store),
    bentoContenders(
      kyselyDriver({ connection: kysely, tableName: 'bento_cache', pruneInterval: false }),
    ),
    managerContenders(keyvPostgres as unknown as KeyvStoreAdapter),
  ]
  await seedInterleaved(keys, [
    (key, id) => raw`INSERT INTO raw_cache VALUES (${key}, ${Buffer.from(JSON.stringify({ id }))})`,
    ...libraries.map((library) => library.seed),
  ])
  const caches = libraries.flatMap((library) => library.contenders)
  return {
    name: 'PostgreSQL',
    rawSingle: async (key) => (await raw`SELECT value FROM raw_cache WHERE key = ${key}`)[0],
    rawPipelined: undefined,
    rawBatch: (many) => raw`SELECT key, value FROM raw_cache WHERE key = ANY(${many as string[]})`,
    rawBatchName: 'postgres.js = ANY($1)',
    rawBatchParsed: async (many) =>
      (await raw`SELECT key, value FROM raw_cache WHERE key = ANY(${many as string[]})`).map(
        (row) => JSON.parse((row.value as Buffer).toString()),
      ),
    caches,
    store,
    async close() {
      await store.close()
      await raw.end()
      await kysely.destroy()
      await keyvPostgres.disconnect()
    },
  }
}

export async function memcachedBackend(address: string, keys: readonly string[]): Promise<Backend> {
  const raw = memjs.Client.create(address, { logger: { log: () => undefined } })
  const store = memcachedStore({ client: address, namespace: 'b' })
  const keyvMemcache = new KeyvMemcache(address)
  const libraries = [
    stackContenders(store),
    managerContenders(keyvMemcache as unknown as KeyvStoreAdapter),
  ]
  await seedInterleaved(keys, [
    (key, id) => raw.set(`raw:${key}`, JSON.stringify({ id }), { expires: 3_600 }),
    ...libraries.map((library) => library.seed),
  ])
  const caches = libraries.flatMap((library) => library.contenders)
  const rawGet = (key: string) => raw.get(`raw:${key}`)
  return {
    name: 'Memcached',
    rawSingle: rawGet,
    rawPipelined: undefined,
    // memjs has no multi-get: its batch is one get per key, pipelined on the socket.
    rawBatch: (many) => Promise.all(many.map(rawGet)),
    rawBatchName: 'memjs get ×n (no multi-get)',
    rawBatchParsed: async (many) =>
      (await Promise.all(many.map(rawGet))).map(({ value }) =>
        value === null ? undefined : JSON.parse(value.toString()),
      ),
    caches,
    store,
    async close() {
      raw.close()
      keyvMemcache.client.close()
      await store.close()
    },
  }
}
