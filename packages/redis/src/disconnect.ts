import type { RedisClient } from './client.js'

/** States in which a connection has a socket whose closing ends with an 'end' event. */
const SOCKET_STATES = new Set(['connecting', 'connect', 'ready'])

/**
 * Ends a connection and resolves once it has ended (or after `timeoutMs`): `QUIT` when it
 * is up, letting replies in flight arrive, then a hard disconnect, which also cancels any
 * pending reconnection attempt.
 */
export async function disconnect(client: RedisClient, timeoutMs: number): Promise<void> {
  // A connection torn down while its server is unreachable still emits socket errors;
  // without a listener ioredis would print them as unhandled. This client is done with.
  client.on('error', ignoreError)
  if (!SOCKET_STATES.has(client.status)) {
    client.disconnect()
    return
  }
  let timer: NodeJS.Timeout | undefined
  let onEnd = () => {}
  const ended = new Promise<void>((resolve) => {
    onEnd = resolve
    timer = setTimeout(resolve, timeoutMs)
    client.once('end', onEnd)
  })
  if (client.status === 'ready') await Promise.race([client.quit().catch(() => {}), ended])
  client.disconnect()
  await ended
  clearTimeout(timer)
  client.off('end', onEnd)
}

function ignoreError(): void {}
