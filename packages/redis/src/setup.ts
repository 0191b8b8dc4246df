import type { StoreWarning } from '@stack/core'
import type { Redis } from 'ioredis'

/** The one `maxmemory-policy` under which Redis never removes a key before its expiry. */
const NO_EVICTION = 'noeviction'

/** What one server says of its memory settings, or `undefined` when it will not say. */
interface MemorySettings {
  readonly policy: string
  readonly maxmemory: string
}

/**
 * `CONFIG GET maxmemory*` on one server. A refused command (CONFIG disabled or renamed,
 * no permission, as on many managed services) is "cannot tell", not a failure.
 */
export async function readMemorySettings(server: Redis): Promise<MemorySettings | undefined> {
  let reply: unknown
  try {
    reply = await server.config('GET', 'maxmemory*')
  } catch (error) {
    if ((error as Error)?.name === 'ReplyError') return undefined
    throw error
  }
  if (!Array.isArray(reply)) return undefined
  const settings = new Map<string, string>()
  for (let i = 0; i + 1 < reply.length; i += 2) settings.set(String(reply[i]), String(reply[i + 1]))
  const policy = settings.get('maxmemory-policy')
  return policy === undefined ? undefined : { policy, maxmemory: settings.get('maxmemory') ?? '?' }
}

/**
 * One `'evicts-live-keys'` warning per evicting policy among `servers`' settings. Every
 * policy but `noeviction` can evict core's tag timestamps: `allkeys-*` any key, and
 * `volatile-*` keys with an expiry, which tag timestamps have (`maxEntryLife` after the
 * change they record).
 */
export function evictionWarnings(
  settings: readonly (MemorySettings | undefined)[],
): StoreWarning[] {
  const byPolicy = new Map<string, MemorySettings[]>()
  for (const server of settings) {
    if (server === undefined || server.policy === NO_EVICTION) continue
    byPolicy.set(server.policy, [...(byPolicy.get(server.policy) ?? []), server])
  }
  return [...byPolicy].map(([policy, servers]) => {
    const which = policy.startsWith('volatile-') ? 'keys with an expiry' : 'any key'
    const limits = [...new Set(servers.map((server) => server.maxmemory))].join(', ')
    const where = settings.length > 1 ? ` on ${servers.length} of ${settings.length} masters` : ''
    return {
      code: 'evicts-live-keys',
      message:
        `maxmemory-policy is ${policy}${where} (maxmemory ${limits}): when memory runs out, ` +
        `Redis evicts ${which} before its expiry, @stack tag timestamps included, and an ` +
        'evicted one brings back entries that invalidateTags removed. Use maxmemory-policy ' +
        'noeviction (writes then fail when memory is full, and the cache counts them) or keep ' +
        'tag timestamps in a tier that does not evict.',
    }
  })
}
