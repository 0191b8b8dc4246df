import type memjs from 'memjs'
import type { MemjsClient } from './client.js'
import { encodeRequest, type Reply, type Request } from './protocol.js'

/** What memjs hands a response callback. */
interface MemjsResponse {
  readonly header: { readonly status: number; readonly cas: Buffer }
  readonly val: Buffer
}

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
  serverFor(key: string): memjs.Server | undefined {
    return this.#client.server(key) ?? undefined
  }

  get servers(): readonly memjs.Server[] {
    return this.#client.servers
  }

  /** Sends `request` to the server that owns `routeKey` (not necessarily `request.key`). */
  send(routeKey: string, request: Request): Promise<Reply> {
    const opaque = this.#nextOpaque()
    return new Promise((resolve, reject) => {
      this.#client.perform(routeKey, encodeRequest(request, opaque), opaque, (error, response) => {
        if (error) reject(asError(error))
        else resolve(toReply(response as MemjsResponse))
      })
    })
  }

  /** Sends `request` to `server`. */
  sendTo(server: memjs.Server, request: Request): Promise<Reply> {
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
