import type { RedisClient } from './client.js'

/**
 * Ends a connection: `QUIT` (letting replies in flight arrive) when it is up, with
 * `timeoutMs` to answer, otherwise or then a hard disconnect, which also stops
 * reconnection attempts.
 */
export async function disconnect(client: RedisClient, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') {
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      client.quit().catch(() => {}),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs)
      }),
    ])
    clearTimeout(timer)
  }
  client.disconnect()
}
