/**
 * Issue 14 on a real PostgreSQL: tag timestamps are rows with a finite `expires_at`
 * (`maxEntryLife` plus clock skew after the change), so per-entity tags are purged like
 * entries instead of piling up forever.
 */
import { createCache } from '@stack/core'
import postgres from 'postgres'
import { afterAll, describe, expect, inject, test } from 'vitest'
import { pgStore } from '../src/index.js'

const url = inject('postgresUrl')
const HOUR = 3_600_000
const CLOCK_SKEW = 60_000

describe.skipIf(url === '')('tag timestamps in PostgreSQL', () => {
  const sql = postgres(url, { onnotice: () => undefined, max: 2 })
  afterAll(() => sql.end())

  test('get a finite expires_at, no earlier than the entries they reject', async () => {
    const table = `tag_expiry_${Date.now().toString(36)}`
    const store = pgStore({ client: sql, table, purgeInterval: false })
    const cache = createCache({ tiers: [store], ttl: '1m', maxEntryLife: '2h' })
    await cache.set('post', 'v', { tags: ['user:1'] })
    const before = Date.now()
    await cache.invalidateTags(['user:1'])
    await cache.expireTags(['user:2'])
    const after = Date.now()
    const rows = await sql<{ key: string; expires_at: string | null }[]>`
      SELECT key, expires_at FROM ${sql(table)} WHERE key LIKE ${'%!tag:%'}`
    expect(rows).toHaveLength(2)
    for (const row of rows) {
      expect(row.expires_at, row.key).not.toBeNull()
      const expiresAt = Number(row.expires_at)
      expect(expiresAt).toBeGreaterThanOrEqual(before + 2 * HOUR + CLOCK_SKEW)
      expect(expiresAt).toBeLessThanOrEqual(after + 2 * HOUR + CLOCK_SKEW)
    }
    // The entry row dies no later than the tag rows that reject it.
    const [entry] = await sql<{ expires_at: string }[]>`
      SELECT expires_at FROM ${sql(table)} WHERE key NOT LIKE ${'%!tag:%'}`
    expect(Number(entry?.expires_at)).toBeLessThanOrEqual(before + 2 * HOUR + CLOCK_SKEW)
    expect(await cache.get('post')).toBeUndefined()
    await cache.close()
    await sql`DROP TABLE ${sql(table)}`
  })
})
