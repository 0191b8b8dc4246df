import type { Redis } from 'ioredis'
import { isCluster, type RedisClient } from './client.js'
import type { Gate } from './gate.js'
import { hashSlot } from './slot.js'

/** The servers holding keys: the connection itself, or every Cluster master. */
export function masters(client: RedisClient): Redis[] {
  return isCluster(client) ? client.nodes('master') : [client]
}

/** Streams, in pages, the keys of one server matching `pattern` (SCAN, binary-safe). */
export async function* scanPages(
  gate: Gate,
  server: Redis,
  pattern: string,
  count: number,
): AsyncGenerator<Buffer[]> {
  let cursor = '0'
  do {
    const [next, keys] = await gate.run(() =>
      server.scanBuffer(cursor, 'MATCH', pattern, 'COUNT', count),
    )
    cursor = next.toString()
    if (keys.length > 0) yield keys
  } while (cursor !== '0')
}

/**
 * UNLINKs `keys` on `server`: one command, or in Cluster mode one command per hash
 * slot (a multi-key command may not span slots), pipelined.
 */
export async function unlinkAll(
  server: Redis,
  keys: Buffer[],
  clusterMode: boolean,
): Promise<void> {
  if (!clusterMode) {
    await server.unlink(keys)
    return
  }
  const bySlot = new Map<number, Buffer[]>()
  for (const key of keys) {
    const slot = hashSlot(key)
    const group = bySlot.get(slot)
    if (group) group.push(key)
    else bySlot.set(slot, [key])
  }
  const pipeline = server.pipeline()
  for (const group of bySlot.values()) pipeline.unlink(group)
  const replies = (await pipeline.exec()) ?? []
  for (const [error] of replies) {
    // A key whose slot moved meanwhile lives on (and is scanned on) another master.
    if (error && !/^(MOVED|ASK) /.test(error.message)) throw error
  }
}
