import { createHash } from 'node:crypto'
import { copyFile, readFile, stat, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { removeDir, tempDir } from '@stack/test-servers/process'
import { afterAll, beforeEach, describe, expect, test } from 'vitest'
import { type FileStore, fileStore } from '../src/index.js'

const root = tempDir('file-corruption')
afterAll(() => removeDir(root))

let directory: string
let store: FileStore
let run = 0
beforeEach(async () => {
  directory = join(root, String(run++))
  store = fileStore({ directory })
  return () => store.close()
})

/** Where the store keeps `key`, computed independently of the store's code. */
function fileOf(key: string): string {
  const name = createHash('sha256').update(Buffer.from(key, 'utf16le')).digest('hex')
  return join(directory, name.slice(0, 2), name)
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  )
}

const value = new Uint8Array(4096).fill(7)

describe('damaged files read as misses and are removed', () => {
  const damages: [string, (file: string) => Promise<void>][] = [
    ['truncated in the value', (file) => truncate(file, 1000)],
    ['truncated in the header', (file) => truncate(file, 10)],
    ['empty', (file) => truncate(file, 0)],
    ['one value byte flipped', (file) => flipByte(file, -1)],
    ['one expiry byte flipped', (file) => flipByte(file, 9)],
    ['bad magic', (file) => flipByte(file, 0)],
    ['an unknown format version', (file) => flipByte(file, 4)],
    ['foreign bytes', (file) => writeFile(file, 'not a cache entry at all')],
    ['extended with garbage', (file) => writeFile(file, 'xx', { flag: 'a' })],
  ]
  for (const [label, damage] of damages) {
    test(label, async () => {
      await store.set('k', value, Infinity)
      await damage(fileOf('k'))
      expect(await store.get('k')).toBeUndefined()
      expect(await exists(fileOf('k'))).toBe(false)
      // The key works again afterwards.
      await store.set('k', value, Infinity)
      expect(await store.get('k')).toEqual(value)
    })
  }

  test('add replaces a corrupt entry, and purgeExpired removes one', async () => {
    await store.set('a', value, Infinity)
    await store.set('b', value, Infinity)
    await truncate(fileOf('a'), 100)
    await truncate(fileOf('b'), 100)
    expect(await store.add('a', new Uint8Array([1]), Infinity)).toBe(true)
    expect(await store.get('a')).toEqual(new Uint8Array([1]))
    expect(await store.purgeExpired()).toBe(1)
    expect(await exists(fileOf('b'))).toBe(false)
  })
})

test('a file holding another key (a hash collision) is a miss and is left alone', async () => {
  await store.set('owner', value, Infinity)
  await store.set('victim', new Uint8Array([1]), Infinity)
  await copyFile(fileOf('owner'), fileOf('victim'))
  expect(await store.get('victim')).toBeUndefined()
  expect(await exists(fileOf('victim'))).toBe(true)
  expect(await store.get('owner')).toEqual(value)
})

test('expired files are misses and are removed when read', async () => {
  await store.set('k', value, Date.now() + 30)
  await new Promise((resolve) => setTimeout(resolve, 60))
  expect(await exists(fileOf('k'))).toBe(true)
  expect(await store.get('k')).toBeUndefined()
  expect(await exists(fileOf('k'))).toBe(false)
})

test('a file is header, key and value, with the key stored exactly', async () => {
  const key = 'ключ/../\u{1F600}\uD800' // includes a lone surrogate
  await store.set(key, new Uint8Array([1, 2, 3]), 1e15)
  const bytes = await readFile(fileOf(key))
  expect(bytes.subarray(0, 4).toString('latin1')).toBe('STKF')
  expect(bytes.readDoubleLE(8)).toBe(1e15)
  const keyLength = bytes.readUInt32LE(16)
  expect(bytes.subarray(28, 28 + keyLength).toString('utf16le')).toBe(key)
  expect([...bytes.subarray(28 + keyLength)]).toEqual([1, 2, 3])
  expect(await store.get('ключ/../\u{1F600}\uFFFD')).toBeUndefined()
})

async function flipByte(file: string, offset: number): Promise<void> {
  const bytes = await readFile(file)
  const index = offset < 0 ? bytes.length + offset : offset
  bytes[index] = (bytes[index] ?? 0) ^ 0xff
  await writeFile(file, bytes)
}
