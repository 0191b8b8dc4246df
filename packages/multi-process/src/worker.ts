/**
 * A worker process: builds one cache from the JSON config in `argv[2]`, then answers the
 * parent's requests over the IPC channel (see `protocol.ts`). Started by `driver.ts`;
 * runs as TypeScript through Node's type stripping. Exits when the parent goes away.
 */
import type { Cache, LoaderContext } from '@stack/core'
import postgres from 'postgres'
import { now } from './clock.ts'
import { SteadyLoad } from './load.ts'
import { makeLoader } from './loaders.ts'
import { scopedNames } from './names.ts'
import type {
  KeyRef,
  LoaderSpec,
  Operation,
  Operations,
  Request,
  WorkerConfig,
  WorkerMessage,
} from './protocol.ts'
import { Watches } from './watches.ts'
import { buildCache } from './worker-cache.ts'

const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig
const send = (message: WorkerMessage) => process.send?.(message)

const watches = new Watches()
const { cache, bus } = buildCache(config, {
  afterMessage: () => watches.check(),
  onReconnect: () => send({ event: 'bus-reconnect', at: now() }),
})
cache.on('circuit', ({ tier, state, previous }) =>
  send({ event: 'circuit', tier, state, previous, at: now() }),
)

let loaderCalls = 0
let truth: { sql: postgres.Sql; table: string } | undefined
const host = {
  name: config.name,
  truth() {
    truth ??= {
      sql: postgres(config.postgresUrl ?? '', { max: 2, connect_timeout: 1, onnotice: () => {} }),
      table: scopedNames(config.scope).truthTable,
    }
    return truth
  },
  onCall(key: string, at: number) {
    loaderCalls++
    send({ event: 'loader-call', key, at })
  },
}
const loaders = new Map<string, (context: LoaderContext) => Promise<unknown>>()
/** One loader per spec, so that a `counter` keeps counting across requests. */
function loaderFor(spec: LoaderSpec): (context: LoaderContext) => Promise<unknown> {
  const id = JSON.stringify(spec)
  let loader = loaders.get(id)
  if (loader === undefined) {
    loader = makeLoader(spec, host)
    loaders.set(id, loader)
  }
  return loader
}

function scoped(ref: KeyRef): Cache {
  return ref.namespace === undefined ? cache : cache.namespace(ref.namespace)
}

const background: (() => void)[] = []
let load: SteadyLoad | undefined

const handlers: {
  [K in Operation]: (args: Operations[K]['args']) => Promise<Operations[K]['result']>
} = {
  ping: async () => ({ pid: process.pid }),
  get: (args) => scoped(args).get(args.key, args.localOnly ? { tiers: 'local' } : undefined),
  set: async (args) => {
    await scoped(args).set(args.key, args.value, {
      ...(args.tags && { tags: args.tags }),
      ...(args.ttlMs !== undefined && { ttl: args.ttlMs }),
    })
    return { resolvedAt: now() }
  },
  delete: async (args) => {
    await scoped(args).delete(args.key)
    return { resolvedAt: now() }
  },
  invalidateTags: async ({ tags, namespace }) => {
    // Tags belong to the namespace that wrote the entry.
    await (namespace === undefined ? cache : cache.namespace(namespace)).invalidateTags(tags)
    return { resolvedAt: now() }
  },
  clear: async ({ namespace }) => {
    await cache.namespace(namespace).clear()
    return { resolvedAt: now() }
  },
  getOrSet: (args) =>
    scoped(args).getOrSet(args.key, loaderFor(args.loader), args.tags ? { tags: args.tags } : {}),
  burst: async (args) => {
    const target = scoped(args)
    const loader = loaderFor(args.loader)
    const startedAt = now()
    const errors: string[] = []
    const values = await Promise.all(
      Array.from({ length: args.count }, () =>
        target.getOrSet(args.key, loader).catch((error: unknown) => {
          errors.push(String(error))
          return undefined
        }),
      ),
    )
    return { startedAt, values, errors, maxMs: now() - startedAt }
  },
  watch: async (args) => {
    const target = scoped(args)
    return { watch: watches.arm(() => target.get(args.key, { tiers: 'local' }), args.old) }
  },
  awaitWatch: async ({ watch, timeoutMs }) => ({
    changedAt: await watches.wait(watch, timeoutMs),
  }),
  awaitBus: async ({ count, timeoutMs }) => {
    if (bus === undefined) throw new Error(`worker ${config.name} has no bus`)
    await bus.waitForMessages(count, timeoutMs)
    return {}
  },
  schedule: async ({ key, everyMs }) => {
    let runs = 0
    const refresh = cache.schedule(
      key,
      () => {
        const value = `${config.name}:${++runs}`
        send({ event: 'refresh', key, value, at: now() })
        return value
      },
      { every: everyMs },
    )
    background.push(refresh.stop)
    return {}
  },
  read: async ({ key, everyMs, pollMs }) => {
    const reader = cache.reader(key, { every: everyMs })
    let last: unknown
    const poll = setInterval(() => {
      const at = now()
      cache.get(key, { tiers: 'local' }).then(
        (value) => {
          if (value === undefined || value === last) return
          last = value
          send({ event: 'seen', key, value, at })
        },
        () => undefined,
      )
    }, pollMs)
    background.push(reader.stop, () => clearInterval(poll))
    return {}
  },
  stopBackground: async () => {
    for (const stop of background.splice(0)) stop()
    return {}
  },
  startLoad: async (spec) => {
    load = new SteadyLoad(cache, spec, loaderFor({ kind: 'truth' }))
    return {}
  },
  stopLoad: async () => {
    if (load === undefined) throw new Error('no load running')
    const report = await load.stop()
    load = undefined
    return report
  },
  stats: async () => ({
    cache: { ...cache.stats() },
    loaderCalls,
    busMessages: bus?.messages ?? 0,
    busReconnects: bus?.reconnects ?? 0,
  }),
  close: async () => {
    for (const stop of background.splice(0)) stop()
    await load?.stop()
    await cache.close().catch(() => undefined)
    await truth?.sql.end({ timeout: 1 }).catch(() => undefined)
    setImmediate(() => process.exit(0))
    return {}
  },
}

process.on('message', (request: Request) => {
  const handler = handlers[request.op] as (args: unknown) => Promise<unknown>
  handler(request.args).then(
    (result) => send({ id: request.id, ok: true, result }),
    (error: unknown) => send({ id: request.id, ok: false, error: describe(error) }),
  )
})
process.on('disconnect', () => process.exit(0))
await bus?.subscribed
send({ event: 'ready', at: now() })

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code
    return `${typeof code === 'string' ? `${code} ` : ''}${error.name}: ${error.message}`
  }
  return String(error)
}
