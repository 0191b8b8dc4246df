import type { MemjsClient, MemjsResponse, MemjsServer } from './client.js'
import { encodeRequest, type Reply, type Request } from './protocol.js'

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

  #nextOpaque(): number {
    this.#client.incrSeq()
    return this.#client.seq
  }
}

function toReply(response: MemjsResponse): Reply {
  return { status: response.header.status, value: response.val, cas: response.header.cas }
}

/** memjs sometimes fails with a plain string. */
function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error))
}
