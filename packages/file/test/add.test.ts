import { createHash } from 'node:crypto'
import { stat, unlink, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { removeDir, tempDir } from '@stack/test-servers/process'
import { afterAll, beforeEach, expect, test } from 'vitest'
import { type FileStore, fileStore } from '../src/index.js'

const root = tempDir('file-add')
afterAll(() => removeDir(root))

let directory: string
let store: FileStore
let run = 0
beforeEach(() => {
  directory = join(root, String(run++))
  store = fileStore({ directory })
  return () => store.close()
})

function fileOf(key: string): string {
  const name = createHash('sha256').update(Buffer.from(key, 'utf16le')).digest('hex')
  return join(directory, name.slice(0, 2), name)
}

const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  )
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function expiredEntry(key: string): Promise<void> {
  await store.set(key, new Uint8Array([0]), Date.now() + 20)
  await sleep(40)
}

test('add over an expired entry waits for the key lock another caller holds', async () => {
  await expiredEntry('k')
  const lock = `${fileOf('k')}.lock`
  await writeFile(lock, '')
  setTimeout(() => void unlink(lock), 100)
  expect(await store.add('k', new Uint8Array([1]), Infinity)).toBe(true)
  expect(await store.get('k')).toEqual(new Uint8Array([1]))
  expect(await exists(lock)).toBe(false)
})

test('a lock left by a crashed process (older than 5 s) is broken', async () => {
  await expiredEntry('k')
  const lock = `${fileOf('k')}.lock`
  await writeFile(lock, '')
  const longAgo = new Date(Date.now() - 60_000)
  await utimes(lock, longAgo, longAgo)
  expect(await store.add('k', new Uint8Array([1]), Infinity)).toBe(true)
  expect(await exists(lock)).toBe(false)
})

test('a read leaves an expired entry for later while its key is locked', async () => {
  await expiredEntry('k')
  const lock = `${fileOf('k')}.lock`
  await writeFile(lock, '')
  expect(await store.get('k')).toBeUndefined()
  expect(await exists(fileOf('k'))).toBe(true)
  await unlink(lock)
  expect(await store.get('k')).toBeUndefined()
  expect(await exists(fileOf('k'))).toBe(false)
})

test('add over a live entry loses without touching it', async () => {
  await store.set('k', new Uint8Array([7]), Infinity)
  expect(await store.add('k', new Uint8Array([1]), Infinity)).toBe(false)
  expect(await store.get('k')).toEqual(new Uint8Array([7]))
})

test('100 concurrent adds over one expired entry in one process: one winner', async () => {
  await expiredEntry('k')
  const results = await Promise.all(
    Array.from({ length: 100 }, (_, index) => store.add('k', new Uint8Array([index]), Infinity)),
  )
  expect(results.filter(Boolean)).toHaveLength(1)
  expect(await store.get('k')).toEqual(new Uint8Array([results.indexOf(true)]))
})
