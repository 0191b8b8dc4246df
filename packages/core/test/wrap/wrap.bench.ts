/**
 * Hit-path cost of wrapping (docs/wrapping.md, "Performance"). Not part of `vitest run`;
 * run with `npx vitest bench --run test/wrap/wrap.bench.ts` from packages/core.
 */
import { bench, describe } from 'vitest'
import { createCache, memory, wrap, wrapSync } from '../../src/index.js'

const cache = createCache({ tiers: [memory({ maxEntries: 10_000 })] })
const ids = Array.from({ length: 1_000 }, (_, i) => i)
const shortStrings = ids.map((i) => `q${i}`.padEnd(50, '-'))
const longStrings = ids.map((i) => `q${i}`.padEnd(70, '-'))
const load = async (id: number) => ({ id })

const byTemplate = wrap(cache, load, { key: 'user:{0}' })
const byDefault = wrap(cache, load, { name: 'user' })
const withTtl = wrap(cache, load, { name: 'userTtl', ttl: '10m' })
const byObject = wrap(cache, async (filter: { id: number; include: string[] }) => filter.id, {
  name: 'byObject',
})
const byString = wrap(cache, async (query: string) => query.length, { name: 'byString' })
const syncByTemplate = wrapSync(cache, (id: number) => ({ id }), { key: 'sync:{0}' })

for (const id of ids) {
  await cache.getOrSet(`user:${id}`, () => load(id))
  await byDefault(id)
  await withTtl(id)
  await byObject({ id, include: ['posts', 'friends'] })
  syncByTemplate(id)
}
for (const query of [...shortStrings, ...longStrings]) await byString(query)

let i = 0
const next = () => ids[i++ % 1_000] as number

describe('async hit', () => {
  bench('cache.getOrSet (baseline)', async () => {
    const id = next()
    await cache.getOrSet(`user:${id}`, () => load(id))
  })
  bench("wrap, key 'user:{0}'", async () => {
    await byTemplate(next())
  })
  bench('wrap, default key, a number', async () => {
    await byDefault(next())
  })
  bench("wrap, default key, a number, ttl '10m'", async () => {
    await withTtl(next())
  })
  bench('wrap, default key, { id, include: [2 strings] }', async () => {
    await byObject({ id: next(), include: ['posts', 'friends'] })
  })
  bench('wrap, default key, a 50-character string (plain)', async () => {
    await byString(shortStrings[next()] as string)
  })
  bench('wrap, default key, a 70-character string (hashed)', async () => {
    await byString(longStrings[next()] as string)
  })
})

describe('sync hit', () => {
  bench('cache.getOrSetSync (baseline)', () => {
    const id = next()
    cache.getOrSetSync(`sync:${id}`, () => ({ id }))
  })
  bench("wrapSync, key 'sync:{0}'", () => {
    syncByTemplate(next())
  })
})
