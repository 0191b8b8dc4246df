import type { StoreWarning } from '@stack/core'
import type { Transport } from './transport.js'

/**
 * One `'evicts-live-keys'` warning when a server evicts items under memory pressure,
 * which memcached does unless started with `-M` (`--disable-evictions`): it would evict
 * core's tag timestamps too. Reads `stats settings` of every server; rejects only when
 * no server answered and so nothing is known.
 */
export async function evictionWarnings(transport: Transport): Promise<StoreWarning[]> {
  const servers = transport.servers
  const answers = await Promise.allSettled(
    servers.map((server) => transport.stats(server, 'settings')),
  )
  let evicting = 0
  let answered = 0
  for (const answer of answers) {
    if (answer.status === 'rejected') continue
    answered++
    if (answer.value.get('evictions') !== 'off') evicting++
  }
  const failure = answers.find((answer) => answer.status === 'rejected')
  if (answered === 0 && failure !== undefined) throw failure.reason
  if (evicting === 0) return []
  const where = servers.length > 1 ? ` on ${evicting} of ${servers.length} servers` : ''
  return [
    {
      code: 'evicts-live-keys',
      message:
        `evictions are on${where}: when memory runs out, memcached evicts the least recently ` +
        'used items before their expiry, @stack tag timestamps included, and an evicted one ' +
        'brings back entries that invalidateTags removed. Start memcached with -M ' +
        '(--disable-evictions) and enough memory, or keep tag timestamps in a tier that does ' +
        'not evict.',
    },
  ]
}
