import { StoreUnavailableError } from '@stack/core'
import type memjs from 'memjs'
import { type ClearLog, decodeLog, encodeLog, newLog, withClear } from './clear-log.js'
import { Opcode, type Reply, type Request, Status, storageExtras } from './protocol.js'
import type { Transport } from './transport.js'

/** Attempts at a compare-and-swap of a log before giving up. */
const CAS_ATTEMPTS = 10
const NEVER = storageExtras(0)

interface Cached {
  readonly log: ClearLog
  readonly raw: Buffer
}

/**
 * Reads, creates and updates the clear log (see `clear-log.ts`) on each server, caching
 * the last one seen per server. A write stamped with a stale log can only make its own
 * item look cleared (a miss), never revive a cleared one; writes re-check and redo.
 */
export class LogAccess {
  readonly #transport: Transport
  readonly #key: string
  readonly #store: string
  readonly #maxEntries: number
  readonly #cache = new Map<memjs.Server, Cached>()
  /** Loads in flight per server, so a batch of writes reads a stale log once. */
  readonly #loading = new Map<memjs.Server | undefined, Promise<ClearLog>>()

  constructor(transport: Transport, logKey: string, store: string, maxEntries: number) {
    this.#transport = transport
    this.#key = logKey
    this.#store = store
    this.#maxEntries = maxEntries
  }

  /** Fetches the log of the server owning `routeKey`; `undefined` when there is none. */
  async read(routeKey: string): Promise<ClearLog | undefined> {
    const reply = await this.#transport.send(routeKey, { opcode: Opcode.get, key: this.#key })
    return this.#accept(this.#transport.serverFor(routeKey), reply)
  }

  /**
   * The log to stamp a write to `routeKey` with: the last one seen on that server, else
   * read (or created). The caller checks the stamp against the log after writing.
   */
  async forWrite(routeKey: string): Promise<ClearLog> {
    const cached = this.#cachedFor(routeKey)
    if (cached) return cached.log
    const server = this.#transport.serverFor(routeKey)
    const loading = this.#loading.get(server)
    if (loading) return loading
    const load = this.current(routeKey).finally(() => this.#loading.delete(server))
    this.#loading.set(server, load)
    return load
  }

  /** The server's current log, created when missing or unreadable. */
  async current(routeKey: string): Promise<ClearLog> {
    const server = this.#transport.serverFor(routeKey)
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const reply = await this.#transport.send(routeKey, { opcode: Opcode.get, key: this.#key })
      const log = this.#accept(server, reply)
      if (log) return log
      const fresh = newLog()
      const written = await this.#transport.send(routeKey, this.#write(fresh, reply))
      if (written.status === Status.ok) return this.#remember(server, fresh)
    }
    throw this.#contended()
  }

  /** Records `clear(prefix)` on every server; `''` replaces each log with a fresh one. */
  async recordClear(prefix: string): Promise<void> {
    await Promise.all(this.#transport.servers.map((server) => this.#recordOn(server, prefix)))
  }

  async #recordOn(server: memjs.Server, prefix: string): Promise<void> {
    const send = (request: Request) => this.#transport.sendTo(server, request)
    if (prefix === '') {
      const fresh = newLog()
      const reply = await send({
        opcode: Opcode.set,
        key: this.#key,
        extras: NEVER,
        value: encodeLog(fresh),
      })
      this.#check(reply, [Status.ok])
      this.#remember(server, fresh)
      return
    }
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const reply = await send({ opcode: Opcode.get, key: this.#key })
      const log = this.#accept(server, reply)
      // No readable log: a fresh one already hides every older item, prefix or not.
      const next = log ? withClear(log, prefix, this.#maxEntries) : newLog()
      const written = await send(this.#write(next, reply))
      if (written.status === Status.ok) {
        this.#remember(server, next)
        return
      }
    }
    throw this.#contended()
  }

  /** The write replacing the log read as `previous`: ADD when there was none, else CAS. */
  #write(log: ClearLog, previous: Reply): Request {
    const value = encodeLog(log)
    return previous.status === Status.ok
      ? { opcode: Opcode.set, key: this.#key, extras: NEVER, value, cas: previous.cas }
      : { opcode: Opcode.add, key: this.#key, extras: NEVER, value }
  }

  /** Decodes a GET reply of the log (reusing the cached parse when unchanged) and caches it. */
  #accept(server: memjs.Server | undefined, reply: Reply): ClearLog | undefined {
    this.#check(reply, [Status.ok, Status.notFound])
    const cached = server ? this.#cache.get(server) : undefined
    if (reply.status === Status.ok && cached?.raw.equals(reply.value)) return cached.log
    const log = reply.status === Status.ok ? decodeLog(reply.value) : undefined
    if (!server) return log
    // A missing or unreadable log must not stamp further writes: the next one recreates it.
    if (log) this.#cache.set(server, { log, raw: Buffer.from(reply.value) })
    else this.#cache.delete(server)
    return log
  }

  #remember(server: memjs.Server | undefined, log: ClearLog): ClearLog {
    if (server) this.#cache.set(server, { log, raw: encodeLog(log) })
    return log
  }

  #cachedFor(routeKey: string): Cached | undefined {
    const server = this.#transport.serverFor(routeKey)
    return server ? this.#cache.get(server) : undefined
  }

  #check(reply: Reply, expected: readonly number[]): void {
    if (!expected.includes(reply.status)) {
      throw new StoreUnavailableError(this.#store, `clear log: unexpected status ${reply.status}`)
    }
  }

  #contended(): StoreUnavailableError {
    return new StoreUnavailableError(this.#store, 'clear log: too many concurrent updates, retry')
  }
}
