import { readdir, stat, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { InvalidOptionError, StoreUnavailableError, ValueTooLargeError } from '@stack/core'
import { removeDir, tempDir } from '@stack/test-servers/process'
import { afterAll, describe, expect, test } from 'vitest'
import { fileStore } from '../src/index.js'

const root = tempDir('file-maintenance')
afterAll(() => removeDir(root))
let run = 0
const freshDirectory = (): string => join(root, String(run++))

const bytes = (size: number): Uint8Array => new Uint8Array(size).fill(1)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function storedKeys(store: {
  keys(prefix: string): AsyncIterable<string>
}): Promise<string[]> {
  const keys: string[] = []
  for await (const key of store.keys('')) keys.push(key)
  return keys.sort()
}

async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true })
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
}

describe('maxEntries and maxBytes evict the oldest writes first', () => {
  test('maxEntries', async () => {
    const store = fileStore({ directory: freshDirectory(), maxEntries: 3 })
    for (const key of ['a', 'b', 'c', 'd', 'e']) await store.set(key, bytes(10), Infinity)
    expect(await storedKeys(store)).toEqual(['c', 'd', 'e'])
    await store.set('c', bytes(10), Infinity) // rewriting makes c the newest
    await store.set('f', bytes(10), Infinity)
    expect(await storedKeys(store)).toEqual(['c', 'e', 'f'])
    await store.close()
  })

  test('maxBytes counts whole files: header, key and value', async () => {
    // Each entry below is 28 + 2 + 1000 = 1030 bytes.
    const store = fileStore({ directory: freshDirectory(), maxBytes: 3500 })
    for (const key of ['a', 'b', 'c', 'd']) await store.set(key, bytes(1000), Infinity)
    expect(await storedKeys(store)).toEqual(['b', 'c', 'd'])
    await store.set('e', bytes(3000), Infinity)
    expect(await storedKeys(store)).toEqual(['e'])
    await expect(store.set('big', bytes(3501), Infinity)).rejects.toSatisfy(
      ValueTooLargeError.isInstance,
    )
    expect(store.capabilities.maxValueBytes).toBe(3500)
    await store.close()
  })

  test('deletes, clears and expiries free their space', async () => {
    const store = fileStore({ directory: freshDirectory(), maxEntries: 2 })
    await store.set('a', bytes(1), Infinity)
    await store.set('b', bytes(1), Date.now() + 20)
    await store.delete('a')
    await store.set('c', bytes(1), Infinity)
    await sleep(40)
    expect(await store.purgeExpired()).toBe(1)
    await store.set('d', bytes(1), Infinity)
    expect(await storedKeys(store)).toEqual(['c', 'd'])
    await store.clear('c')
    await store.set('e', bytes(1), Infinity)
    expect(await storedKeys(store)).toEqual(['d', 'e'])
    await store.close()
  })

  test('a new store counts what is already in the directory', async () => {
    const directory = freshDirectory()
    const first = fileStore({ directory })
    for (const key of ['a', 'b', 'c', 'd']) {
      await first.set(key, bytes(10), Infinity)
      await sleep(5) // distinct modification times: the start-up count orders by them
    }
    await first.close()
    const second = fileStore({ directory, maxEntries: 3 })
    await second.set('e', bytes(10), Infinity)
    await second.purgeExpired() // waits for the start-up count, which then evicts
    expect(await storedKeys(second)).toEqual(['c', 'd', 'e'])
    await second.close()
  })
})

describe('purgeExpired', () => {
  test('removes expired entries and stale helper files, keeps the rest', async () => {
    const directory = freshDirectory()
    const store = fileStore({ directory })
    await store.set('live', bytes(5), Infinity)
    await store.set('expired', bytes(5), Date.now() + 20)
    const shard = (await filesUnder(directory))[0]?.replace(/[0-9a-f]{64}$/, '') as string
    const longAgo = new Date(Date.now() - 3_600_000)
    const helper = (suffix: string) => join(shard, `${'0'.repeat(64)}.${suffix}`)
    for (const name of ['123-ab-1.tmp', '123-ab-2.dead', 'lock', '123-ab-3.tmp']) {
      await writeFile(helper(name), 'x')
    }
    for (const name of ['123-ab-1.tmp', '123-ab-2.dead', 'lock']) {
      await utimes(helper(name), longAgo, longAgo)
    }
    await writeFile(join(shard, 'not-ours.txt'), 'x')
    await utimes(join(shard, 'not-ours.txt'), longAgo, longAgo)
    await sleep(40)

    expect(await store.purgeExpired()).toBe(1)

    const left = (await filesUnder(directory)).map((file) => file.slice(shard.length))
    expect(left.sort()).toEqual([
      `${'0'.repeat(64)}.123-ab-3.tmp`, // a write that may still be in progress
      expect.stringMatching(/^[0-9a-f]{64}$/), // 'live'
      'not-ours.txt',
    ])
    expect(await storedKeys(store)).toEqual(['live'])
    await store.close()
  })

  test('purgeInterval purges in the background', async () => {
    const directory = freshDirectory()
    const store = fileStore({ directory, purgeInterval: 20 })
    await store.set('expired', bytes(5), Date.now() + 10)
    await expect.poll(() => filesUnder(directory), { timeout: 2000 }).toEqual([])
    await store.close()
  })

  test('concurrent calls share one walk; calls after close reject', async () => {
    const store = fileStore({ directory: freshDirectory() })
    await store.set('k', bytes(1), Infinity)
    const [first, second] = [store.purgeExpired(), store.purgeExpired()]
    expect(first).toBe(second)
    await first
    await store.close()
    await expect(store.purgeExpired()).rejects.toMatchObject({ code: 'E_CLOSED' })
  })
})

describe('options and failures', () => {
  test('maxTtl is refused with a pointer to the per-tier cap of the cache', () => {
    expect(() => fileStore({ directory: freshDirectory(), maxTtl: '5m' } as never)).toThrow(
      expect.objectContaining({ code: 'E_INVALID_OPTION', option: 'maxTtl' }),
    )
    expect(() => fileStore({ directory: freshDirectory(), maxTtl: '5m' } as never)).toThrow(
      /\{ store: fileStore\(\{ directory \}\), maxTtl: '5m' \}/,
    )
  })

  test('bad options throw InvalidOptionError naming the option', () => {
    const bad: [string, object][] = [
      ['directory', { directory: '' }],
      ['fsync', { directory: 'x', fsync: 'yes' }],
      ['maxBytes', { directory: 'x', maxBytes: 0 }],
      ['maxEntries', { directory: 'x', maxEntries: 1.5 }],
      ['purgeInterval', { directory: 'x', purgeInterval: 'soon' }],
      ['purgeInterval', { directory: 'x', purgeInterval: 0 }],
    ]
    for (const [option, options] of bad) {
      expect(() => fileStore(options as never), option).toThrow(
        expect.objectContaining({ code: 'E_INVALID_OPTION', option }),
      )
    }
    expect(InvalidOptionError.isInstance(catchError(() => fileStore(undefined as never)))).toBe(
      true,
    )
  })

  test('the directory is resolved to an absolute path when the store is created', async () => {
    const store = fileStore({ directory: 'relative/cache' })
    expect(store.directory).toBe(join(process.cwd(), 'relative/cache'))
    await store.close()
  })

  test('an unusable directory fails calls with StoreUnavailableError, not a hang', async () => {
    const file = join(root, 'a-file')
    await writeFile(file, 'x')
    const store = fileStore({ directory: join(file, 'cache') })
    for (const call of [
      () => store.get('k'),
      () => store.set('k', bytes(1), Infinity),
      () => store.add('k', bytes(1), Infinity),
      () => store.delete('k'),
      () => store.clear(''),
      () => store.purgeExpired(),
    ]) {
      await expect(call()).rejects.toSatisfy(StoreUnavailableError.isInstance)
    }
    await store.close()
  })

  test('bad keys and arguments reject with coded errors', async () => {
    const store = fileStore({ directory: freshDirectory() })
    await expect(store.get('')).rejects.toMatchObject({ code: 'E_INVALID_KEY' })
    await expect(store.set('k', 'text' as never, Infinity)).rejects.toMatchObject({
      option: 'value',
    })
    await expect(store.set('k', bytes(1), Number.NaN)).rejects.toMatchObject({
      option: 'expiresAt',
    })
    await expect(store.clear(undefined as never)).rejects.toMatchObject({ option: 'prefix' })
    await store.close()
  })

  test('add with an expiry already past stores nothing and resolves whether the key was free', async () => {
    const directory = freshDirectory()
    const store = fileStore({ directory })
    expect(await store.add('k', bytes(1), Date.now() - 1)).toBe(true)
    expect(await store.get('k')).toBeUndefined()
    await store.set('live', bytes(1), Infinity)
    expect(await store.add('live', bytes(2), Date.now() - 1)).toBe(false)
    await store.delete('live')
    await store.close()
    expect(await stat(directory).then(() => filesUnder(directory))).toEqual([])
  })
})

function catchError(call: () => unknown): unknown {
  try {
    call()
  } catch (error) {
    return error
  }
  return undefined
}
