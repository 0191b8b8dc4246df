import { randomBytes } from 'node:crypto'
import { StoreUnavailableError } from '@stack/core'
import { type ClearLog, decodeLog, encodeLog, newLog, withClear } from './clear-log.js'
import type { MemjsServer } from './client.js'
import { PairVersion } from './pair-version.js'
import { Opcode, pairTail, type Reply, type Request, Status, storageExtras } from './protocol.js'
import type { Transport } from './transport.js'

/** Attempts at a compare-and-swap of a log before giving up. */
const CAS_ATTEMPTS = 10
const NEVER = storageExtras(0)

interface Cached {
  readonly log: ClearLog
  /** The version key's value the log was read under (`undefined`: there was none). */
  readonly version: Buffer | undefined
}

/**
 * Reads, creates and updates the clear log (see `clear-log.ts`) on each server.
 *
 * Beside the log, each server holds a *version*: 8 random bytes rewritten after every
 * change of the log. Reads fetch only the version (pipelined with the item) and reuse
 * the log cached for it; the log itself, up to 24 bytes per cleared prefix, travels
 * only after it changed. Since writers change the log before the version and readers
 * read the version before the log, a cached log is never older than its version says.
 *
 * A write stamped with a stale log can only make its own item look cleared (a miss),
 * never revive a cleared one; writes check their stamp afterwards and redo.
 */
export class LogAccess {
  readonly #transport: Transport
  readonly #logKey: string
  readonly #versionKey: string
  readonly #store: string
  readonly #maxEntries: number
  readonly #cache = new Map<MemjsServer, Cached>()
  /** What a pair read of an item and the version sends after the item's key. */
  readonly #pairTail: Buffer
  /** Version reads sent during the current tick, per server; see {@link #readVersion}. */
  readonly #versionReads = new Map<MemjsServer | undefined, Promise<Reply> | PairVersion>()
  /** Loads in flight per server, so a batch of writes loads a missing log once. */
  readonly #loading = new Map<MemjsServer | undefined, Promise<ClearLog>>()

  constructor(
    transport: Transport,
    keys: { log: string; version: string },
    store: string,
    maxEntries: number,
  ) {
    this.#transport = transport
    this.#logKey = keys.log
    this.#versionKey = keys.version
    this.#pairTail = pairTail(keys.version)
    this.#store = store
    this.#maxEntries = maxEntries
  }

  /** The current log of the server owning `routeKey`; `undefined` when it has none. */
  async read(routeKey: string): Promise<ClearLog | undefined> {
    return (await this.#load(routeKey)).log
  }

  /**
   * Reads the item under `key` and the current log of its server, then calls `onRead`
   * or `onError` (exactly one, once; neither may throw). The item's GET and the
   * version's leave in one write and come back in one reply (see `Transport.getPair`),
   * unless a version read to that server went out this tick already: then the item's
   * GET goes alone and the version read is shared. The log follows only if it changed.
   */
  readWith(
    key: string,
    onRead: (item: Reply, log: ClearLog | undefined) => void,
    onError: (error: unknown) => void,
  ): void {
    const server = this.#transport.serverFor(key)
    if (server === undefined || this.#versionReads.has(server)) {
      this.#readApart(key, onRead, onError)
      return
    }
    // A pair makes one attempt. For a client that retries (memjs' retries, failover), a
    // failed pair is read again through `send`, which applies them; its pairs are not
    // shared, so no call that shared one is left without its retries.
    const retries = this.#transport.retries
    const shared = retries ? undefined : new PairVersion()
    if (shared) this.#share(server, shared)
    this.#transport.getPair(
      server,
      key,
      this.#pairTail,
      (item, version) => {
        shared?.resolve(version)
        let log: ClearLog | undefined
        try {
          log = this.#cachedLog(server, version)
        } catch (error) {
          onError(error)
          return
        }
        if (log) onRead(item, log)
        else
          this.#fetchLog(key, server, version).then((fetched) => onRead(item, fetched.log), onError)
      },
      (error) => {
        shared?.reject(error)
        if (retries) this.#readApart(key, onRead, onError)
        else onError(error)
      },
    )
  }

  /** {@link readWith} as two requests through memjs' `perform` (its retries and failover). */
  #readApart(
    key: string,
    onRead: (item: Reply, log: ClearLog | undefined) => void,
    onError: (error: unknown) => void,
  ): void {
    Promise.all([this.#transport.send(key, { opcode: Opcode.get, key }), this.read(key)]).then(
      ([item, log]) => onRead(item, log),
      onError,
    )
  }

  /**
   * The log to stamp a write to `routeKey` with: the last one seen on that server, else
   * loaded (or created). The caller checks the stamp against the log after writing.
   */
  async forWrite(routeKey: string): Promise<ClearLog> {
    const server = this.#transport.serverFor(routeKey)
    const cached = server ? this.#cache.get(server) : undefined
    if (cached) return cached.log
    const loading = this.#loading.get(server)
    if (loading) return loading
    const load = this.current(routeKey).finally(() => this.#loading.delete(server))
    this.#loading.set(server, load)
    return load
  }

  /** The server's current log, created when missing or unreadable. */
  async current(routeKey: string): Promise<ClearLog> {
    const send = (request: Request) => this.#transport.send(routeKey, request)
    const server = this.#transport.serverFor(routeKey)
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const { log, reply } = await this.#load(routeKey)
      if (log) return log
      const fresh = newLog()
      if (await this.#replace(send, server, fresh, reply)) return fresh
    }
    throw this.#contended()
  }

  /** Records `clear(prefix)` on every server; `''` replaces each log with a fresh one. */
  async recordClear(prefix: string): Promise<void> {
    await Promise.all(this.#transport.servers.map((server) => this.#recordOn(server, prefix)))
  }

  async #recordOn(server: MemjsServer, prefix: string): Promise<void> {
    const send = (request: Request) => this.#transport.sendTo(server, request)
    if (prefix === '') {
      await this.#replace(send, server, newLog(), undefined)
      return
    }
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const reply = await send({ opcode: Opcode.get, key: this.#logKey })
      this.#check(reply, Status.ok, Status.notFound)
      const log = reply.status === Status.ok ? decodeLog(reply.value) : undefined
      // No readable log: a fresh one already hides every older item, prefix or not.
      const next = log ? withClear(log, prefix, this.#maxEntries) : newLog()
      if (await this.#replace(send, server, next, reply)) return
    }
    throw this.#contended()
  }

  /**
   * The server's version, then, unless the cached log is for that version, the log.
   * `reply` is the log's GET reply when it was fetched (for a compare-and-swap).
   */
  async #load(routeKey: string): Promise<{ log: ClearLog | undefined; reply?: Reply }> {
    const server = this.#transport.serverFor(routeKey)
    const version = await this.#readVersion(routeKey, server)
    const log = this.#cachedLog(server, version)
    return log ? { log } : this.#fetchLog(routeKey, server, version)
  }

  /** The log cached for `server` if the version reply names the one it was read under. */
  #cachedLog(server: MemjsServer | undefined, version: Reply): ClearLog | undefined {
    if (version.status !== Status.ok) {
      this.#check(version, Status.notFound)
      return undefined
    }
    const cached = server === undefined ? undefined : this.#cache.get(server)
    return cached?.version && sameBytes(cached.version, version.value) ? cached.log : undefined
  }

  /** Reads the log (after `version` showed the cached one is not current) and caches it. */
  async #fetchLog(
    routeKey: string,
    server: MemjsServer | undefined,
    version: Reply,
  ): Promise<{ log: ClearLog | undefined; reply: Reply }> {
    const reply = await this.#transport.send(routeKey, { opcode: Opcode.get, key: this.#logKey })
    this.#check(reply, Status.ok, Status.notFound)
    const log = reply.status === Status.ok ? decodeLog(reply.value) : undefined
    if (server) {
      // A missing or unreadable log must not stamp further writes: the next one recreates it.
      if (log) {
        const named = version.status === Status.ok ? Buffer.from(version.value) : undefined
        this.#cache.set(server, { log, version: named })
      } else this.#cache.delete(server)
    }
    return { log, reply }
  }

  /**
   * GETs the version of the server owning `routeKey`, sharing one request among the
   * calls made in the same tick (100 concurrent gets send 101 requests, not 200), or
   * joining the pair read of {@link readWith} sent in this tick. Safe because requests
   * to a server share one socket and are answered in order: a request sent in this tick
   * comes after every write a completed `clear` made.
   */
  #readVersion(routeKey: string, server: MemjsServer | undefined): Promise<Reply> {
    const shared = this.#versionReads.get(server)
    if (shared) return shared instanceof PairVersion ? shared.promise : shared
    const read = this.#transport.send(routeKey, { opcode: Opcode.get, key: this.#versionKey })
    this.#share(server, read)
    return read
  }

  /** Offers a version read to the other calls of this tick. */
  #share(server: MemjsServer | undefined, read: Promise<Reply> | PairVersion): void {
    // One microtask forgets every read shared in this tick; none outlives the tick.
    if (this.#versionReads.size === 0) queueMicrotask(this.#forgetShared)
    this.#versionReads.set(server, read)
  }

  readonly #forgetShared = (): void => this.#versionReads.clear()

  /**
   * Writes `log` over the one `previous` read (ADD when there was none, compare-and-swap
   * otherwise, plain SET without `previous`), then a new version. False when another
   * writer got there first.
   */
  async #replace(
    send: (request: Request) => Promise<Reply>,
    server: MemjsServer | undefined,
    log: ClearLog,
    previous: Reply | undefined,
  ): Promise<boolean> {
    const value = encodeLog(log)
    const write: Request =
      previous === undefined
        ? { opcode: Opcode.set, key: this.#logKey, extras: NEVER, value }
        : previous.status === Status.ok
          ? { opcode: Opcode.set, key: this.#logKey, extras: NEVER, value, cas: previous.cas }
          : { opcode: Opcode.add, key: this.#logKey, extras: NEVER, value }
    const written = await send(write)
    if (written.status !== Status.ok) {
      this.#check(written, Status.exists, Status.notFound, Status.notStored)
      return false
    }
    const version = randomBytes(8)
    const versioned = await send({
      opcode: Opcode.set,
      key: this.#versionKey,
      extras: NEVER,
      value: version,
    })
    this.#check(versioned, Status.ok)
    if (server) this.#cache.set(server, { log, version })
    return true
  }

  #check(reply: Reply, ...expected: number[]): void {
    if (!expected.includes(reply.status)) {
      throw new StoreUnavailableError(this.#store, `clear log: unexpected status ${reply.status}`)
    }
  }

  #contended(): StoreUnavailableError {
    return new StoreUnavailableError(this.#store, 'clear log: too many concurrent updates, retry')
  }
}

/** Byte equality of two short buffers (a version), without a native call. */
function sameBytes(a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
