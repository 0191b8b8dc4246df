import type { MemjsClient, MemjsResponse, MemjsServer } from './client.js'
import {
  encodeGetPair,
  encodeRequest,
  Opcode,
  type Reply,
  type Request,
  Status,
} from './protocol.js'

/**
 * Sends raw requests through memjs' connections: {@link send} to the server that owns a
 * key (memjs' own choice, so a custom `getServer` or failover is honoured), {@link sendTo}
 * to one given server. Requests to one server share its socket and are answered in order.
 */
export class Transport {
  readonly #client: MemjsClient

  constructor(client: MemjsClient) {
    this.#client = client
  }

  /** The server memjs routes `key` to, or `undefined` when none is available. */
  serverFor(key: string): MemjsServer | undefined {
    return this.#client.server(key) ?? undefined
  }

  get servers(): readonly MemjsServer[] {
    return this.#client.servers
  }

  /**
   * Whether memjs tries a failed request again ({@link send} does; {@link sendTo},
   * {@link getPair} and {@link getMany} make one attempt). A client the store creates
   * does not; a memjs client with its defaults (`retries: 2`) or `failover` does.
   */
  get retries(): boolean {
    const options = this.#client.options
    return options !== undefined && ((options.retries ?? 2) > 1 || options.failover === true)
  }

  /** Sends `request` to the server that owns `routeKey` (not necessarily `request.key`). */
  send(routeKey: string, request: Request): Promise<Reply> {
    const opaque = this.#nextOpaque()
    return new Promise((resolve, reject) => {
      this.#client.perform(routeKey, encodeRequest(request, opaque), opaque, (error, response) => {
        if (error || !response) reject(asError(error ?? 'no response'))
        else resolve(toReply(response))
      })
    })
  }

  /** Sends `request` to `server`. */
  sendTo(server: MemjsServer, request: Request): Promise<Reply> {
    const opaque = this.#nextOpaque()
    return new Promise((resolve, reject) => {
      server.onResponse(opaque, (response) => resolve(toReply(response)))
      server.onError(opaque, (error) => reject(asError(error)))
      server.write(encodeRequest(request, opaque))
    })
  }

  /**
   * Reads `key` and a second key from `server` in one write and one reply (see
   * `encodeGetPair`; `tail` is the second key's {@link pairTail}), so that two reads cost
   * what one does. One attempt; then exactly one of `onReplies` (both replies, misses as
   * `notFound`) and `onError` (a connection error or an error status) is called, once.
   * Callbacks, not a promise: this is the hot path of `get`, where each promise layer
   * costs a noticeable share of a round trip.
   */
  getPair(
    server: MemjsServer,
    key: string,
    tail: Buffer,
    onReplies: (first: Reply, second: Reply) => void,
    onError: (error: Error) => void,
  ): void {
    const opaque = this.#nextOpaque()
    let first = MISS
    let second = MISS
    let failed = false
    // Quiet, as in getMany: memjs keeps the handler until the NOOP's empty reply.
    const onReply = (response: MemjsResponse) => {
      const { header } = response
      if (failed) return
      if (header.totalBodyLength === 0) onReplies(first, second)
      else if (header.status !== Status.ok) {
        failed = true
        onError(new Error(`memcached get failed with status ${header.status}`))
      } else if (header.opcode === Opcode.getq) first = toReply(response)
      else second = toReply(response)
    }
    onReply.quiet = true
    server.onResponse(opaque, onReply)
    server.onError(opaque, (error) => {
      if (failed) return
      failed = true
      onError(asError(error))
    })
    server.write(encodeGetPair(key, tail, opaque))
  }

  /**
   * Reads `keys` from `server` in one multi-get: a quiet GETKQ per key then a NOOP, all
   * under one opaque and in one write. The server answers the hits (each with its key)
   * and then the NOOP, so misses cost no reply. Resolves a reply per key, misses as
   * `notFound`; rejects on a connection error or an error status.
   */
  getMany(server: MemjsServer, keys: readonly string[]): Promise<Map<string, Reply>> {
    const opaque = this.#nextOpaque()
    const byWireKey = new Map(keys.map((key) => [Buffer.from(key).toString('latin1'), key]))
    const requests = keys.map((key) => encodeRequest({ opcode: Opcode.getkq, key }, opaque))
    requests.push(encodeRequest({ opcode: Opcode.noop, key: '' }, opaque))
    return new Promise((resolve, reject) => {
      const replies = new Map<string, Reply>()
      // memjs keeps a `quiet` handler for every reply of its opaque until an empty one
      // (the NOOP's) arrives.
      const onReply = Object.assign(
        (response: MemjsResponse) => {
          const { header, key } = response
          if (header.totalBodyLength === 0) {
            for (const wanted of keys) if (!replies.has(wanted)) replies.set(wanted, MISS)
            resolve(replies)
          } else if (header.status !== Status.ok) {
            reject(new Error(`memcached multi-get failed with status ${header.status}`))
          } else {
            const wanted = byWireKey.get(key.toString('latin1'))
            if (wanted !== undefined) replies.set(wanted, toReply(response))
          }
        },
        { quiet: true },
      )
      server.onResponse(opaque, onReply)
      server.onError(opaque, (error) => reject(asError(error)))
      server.write(Buffer.concat(requests))
    })
  }

  /**
   * `STAT <group>` on `server` (e.g. `'settings'`): every name and value it answers,
   * collected until the empty reply that ends them.
   */
  stats(server: MemjsServer, group: string): Promise<Map<string, string>> {
    const opaque = this.#nextOpaque()
    return new Promise((resolve, reject) => {
      const stats = new Map<string, string>()
      // Quiet, as in getMany: memjs keeps the handler until the empty closing reply.
      const onReply = Object.assign(
        (response: MemjsResponse) => {
          const { header, key } = response
          if (header.totalBodyLength === 0) resolve(stats)
          else if (header.status !== Status.ok) {
            reject(new Error(`memcached stats ${group} failed with status ${header.status}`))
          } else stats.set(key.toString(), response.val.toString())
        },
        { quiet: true },
      )
      server.onResponse(opaque, onReply)
      server.onError(opaque, (error) => reject(asError(error)))
      server.write(encodeRequest({ opcode: Opcode.stat, key: group }, opaque))
    })
  }

  #nextOpaque(): number {
    this.#client.incrSeq()
    return this.#client.seq
  }
}

const MISS: Reply = { status: Status.notFound, value: Buffer.alloc(0), cas: Buffer.alloc(8) }

function toReply(response: MemjsResponse): Reply {
  return { status: response.header.status, value: response.val, cas: response.header.cas }
}

/** memjs sometimes fails with a plain string. */
function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error))
}
