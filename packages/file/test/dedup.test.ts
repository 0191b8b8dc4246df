import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { EnvelopeCodec, InvalidOptionError, structuredSerializer } from '@stack/core'
import { runDedupThroughCache } from '@stack/test-servers/dedup-case'
import { removeDir, tempDir } from '@stack/test-servers/process'
import { afterAll, describe, expect, test } from 'vitest'
import { fileStore } from '../src/index.js'

const root = tempDir('file-dedup')
afterAll(() => removeDir(root))
let run = 0
const freshDirectory = (): string => join(root, String(run++))
const codec = new EnvelopeCodec({ serializer: structuredSerializer, compressThreshold: Infinity })
const envelope = (createdAt: number, value: unknown, tags: readonly string[] = []) =>
  codec.encode('k', { value, createdAt, freshUntil: createdAt, staleUntil: createdAt, tags })
const report = { rows: 'r'.repeat(100_000) }
const later = () => Date.now() + 3_600_000

async function files(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true })
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
}
const payloadFiles = async (directory: string) =>
  (await files(directory)).filter((file) => file.endsWith('.payload'))

const shared = freshDirectory()
runDedupThroughCache({
  name: 'file',
  createStore: (namespace) => fileStore({ directory: join(shared, namespace), dedupeWrites: true }),
})

describe('dedupeWrites', () => {
  test('an unchanged payload writes only the small entry file; a changed one a new payload file', async () => {
    const directory = freshDirectory()
    const store = fileStore({ directory, dedupeWrites: true })
    expect(store.capabilities.dedupeWrites).toBe(true)
    await store.set('k', envelope(1, report), later())
    const [payload] = await payloadFiles(directory)
    const before = await readFile(payload as string)
    await store.set('k', envelope(2, report, ['t']), later())
    expect(await payloadFiles(directory)).toEqual([payload])
    expect(await readFile(payload as string)).toEqual(before)
    expect(await store.get('k')).toEqual(envelope(2, report, ['t']))
    expect(store.stats()).toMatchObject({ writes: 1, dedupedWrites: 1 })

    await store.set('k', envelope(3, { other: true }), later())
    expect(await store.get('k')).toEqual(envelope(3, { other: true }))
    expect(await payloadFiles(directory)).toHaveLength(2) // the old one waits for a purge
    await store.purgeExpired()
    expect(await payloadFiles(directory)).toHaveLength(1)
    expect(await store.get('k')).toEqual(envelope(3, { other: true }))
    await store.close()
  })

  test('delete and clear remove the payload files of the entries they remove', async () => {
    const directory = freshDirectory()
    const store = fileStore({ directory, dedupeWrites: true })
    await store.set('a', envelope(1, report), later())
    await store.set('b', envelope(1, { b: 1 }), later())
    await store.set('c', envelope(1, { c: 1 }), later())
    expect(await payloadFiles(directory)).toHaveLength(3)
    expect(await store.delete('a')).toBe(true)
    expect(await payloadFiles(directory)).toHaveLength(2)
    await store.clear('')
    expect(await files(directory)).toEqual([])
    await store.close()
  })

  test('a plain write over a linked entry, and opaque values, are ordinary records', async () => {
    const directory = freshDirectory()
    const linked = fileStore({ directory, dedupeWrites: true })
    const plain = fileStore({ directory })
    await linked.set('k', envelope(1, report), later())
    expect(await plain.get('k')).toEqual(envelope(1, report)) // any instance reads linked entries
    await plain.set('k', envelope(2, report), later())
    expect(await linked.get('k')).toEqual(envelope(2, report))
    await linked.set('k', new Uint8Array([1, 2, 3]), later())
    expect(await linked.get('k')).toEqual(new Uint8Array([1, 2, 3]))
    await linked.set('k', envelope(3, report), later()) // the payload file is there again
    expect(await linked.get('k')).toEqual(envelope(3, report))
    await linked.close()
    await plain.close()
  })

  test('a damaged payload file is a miss, removed, and written again by the next set', async () => {
    const directory = freshDirectory()
    const store = fileStore({ directory, dedupeWrites: true })
    await store.set('k', envelope(1, report), later())
    const [payload] = await payloadFiles(directory)
    const bytes = await readFile(payload as string)
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 1
    await writeFile(payload as string, bytes)
    expect(await store.get('k')).toBeUndefined()
    expect(await payloadFiles(directory)).toEqual([])
    await store.set('k', envelope(2, report), later())
    expect(await store.get('k')).toEqual(envelope(2, report))
    expect(store.stats()).toMatchObject({ writes: 2, dedupedWrites: 0 })
    await store.close()
  })

  test('concurrent rewrites from two instances with a purge running leave one written value, whole', async () => {
    const directory = freshDirectory()
    const a = fileStore({ directory, dedupeWrites: true })
    const b = fileStore({ directory, dedupeWrites: true })
    const written = Array.from({ length: 30 }, (_, i) =>
      envelope(i, i % 3 === 0 ? { other: i % 2 } : report, i % 2 ? ['t'] : []),
    )
    await Promise.all([
      ...written.map((value, i) => (i % 2 ? a : b).set('k', value, later())),
      a.purgeExpired(),
      b.get('k'),
    ])
    const final = await b.get('k')
    expect(written).toContainEqual(final)
    await a.purgeExpired()
    expect(await a.get('k')).toEqual(final)
    expect(await payloadFiles(directory)).toHaveLength(1)
    await a.close()
    await b.close()
  })

  test('refused with maxBytes or maxEntries, naming dedupeWrites', () => {
    const directory = freshDirectory()
    for (const bound of [{ maxBytes: 1_000 }, { maxEntries: 10 }]) {
      expect(() => fileStore({ directory, dedupeWrites: true, ...bound })).toThrow(
        expect.objectContaining({ option: 'dedupeWrites' }),
      )
    }
    expect(
      InvalidOptionError.isInstance(
        catchError(() => fileStore({ directory, dedupeWrites: true, maxEntries: 1 })),
      ),
    ).toBe(true)
  })
})

function catchError(run: () => unknown): unknown {
  try {
    run()
  } catch (error) {
    return error
  }
  return undefined
}
