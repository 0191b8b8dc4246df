import { link, mkdir, open, readFile, rename, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'
import { decodeHeader, HEADER_BYTES } from './record.js'

/** `true` when `error` is a Node system error with `code`. */
export function hasCode(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === code
}

/** The file's bytes, or `undefined` when it does not exist. */
export async function readIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file)
  } catch (error) {
    if (hasCode(error, 'ENOENT')) return undefined
    throw error
  }
}

/**
 * Writes `bytes` to the new file `temp`, creating its directory when missing (the shard
 * does not exist yet, or someone removed the cache directory), and fsyncs it on request.
 */
export async function writeNewFile(temp: string, bytes: Buffer, fsync: boolean): Promise<void> {
  try {
    await writeExclusive(temp, bytes, fsync)
  } catch (error) {
    if (!hasCode(error, 'ENOENT')) throw error
    await mkdir(dirname(temp), { recursive: true })
    await writeExclusive(temp, bytes, fsync)
  }
}

async function writeExclusive(file: string, bytes: Buffer, fsync: boolean): Promise<void> {
  const handle = await open(file, 'wx')
  try {
    await handle.writeFile(bytes)
    if (fsync) await handle.datasync()
  } catch (error) {
    await handle.close().catch(() => {})
    await unlinkQuietly(file)
    throw error
  }
  await handle.close()
}

/** Atomically replaces `file` with the complete file `temp`; readers see one or the other. */
export async function replaceWith(temp: string, file: string, fsync: boolean): Promise<void> {
  await rename(temp, file)
  if (fsync) await syncDirectory(dirname(file))
}

/**
 * Gives the complete file `temp` the name `file` only if nothing has that name: `link`
 * fails with `EEXIST` otherwise, atomically across processes. `temp` stays; remove it.
 */
export async function linkIfAbsent(temp: string, file: string, fsync: boolean): Promise<boolean> {
  try {
    await link(temp, file)
  } catch (error) {
    if (hasCode(error, 'EEXIST')) return false
    throw error
  }
  if (fsync) await syncDirectory(dirname(file))
  return true
}

/** Makes a rename or link in `dir` durable. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Removes `file`; `true` if it existed. Other errors propagate. */
export async function unlinkIfExists(file: string): Promise<boolean> {
  try {
    await unlink(file)
    return true
  } catch (error) {
    if (hasCode(error, 'ENOENT')) return false
    throw error
  }
}

/** Removes `file`, ignoring every error: for cleanup paths that must not mask the real one. */
export async function unlinkQuietly(file: string): Promise<void> {
  await unlink(file).catch(() => {})
}

/** Renames `from` to `to`; `false` when `from` does not exist. */
export async function renameIfExists(from: string, to: string): Promise<boolean> {
  try {
    await rename(from, to)
    return true
  } catch (error) {
    if (hasCode(error, 'ENOENT')) return false
    throw error
  }
}

/** What a directory walk learns from a file's header, without reading its value. */
export type HeaderScan =
  | {
      readonly state: 'valid'
      /** A linked record (`dedupeWrites`): its payload is in a payload file. */
      readonly linked: boolean
      readonly key: string
      readonly expiresAt: number
      readonly size: number
      readonly mtimeMs: number
    }
  | { readonly state: 'corrupt' }

const FIRST_READ_BYTES = 4096

type FileHandle = Awaited<ReturnType<typeof open>>

/** Runs `use` on `file` opened for reading, then closes it; `undefined` when the file is gone. */
export async function withFileIfExists<T>(
  file: string,
  use: (handle: FileHandle) => Promise<T>,
): Promise<T | undefined> {
  let handle: FileHandle
  try {
    handle = await open(file, 'r')
  } catch (error) {
    if (hasCode(error, 'ENOENT')) return undefined
    throw error
  }
  try {
    return await use(handle)
  } finally {
    await handle.close()
  }
}

/** Reads an entry file's header and key; `undefined` when the file is gone. */
export function scanHeader(file: string): Promise<HeaderScan | undefined> {
  return withFileIfExists(file, async (handle): Promise<HeaderScan> => {
    const { size, mtimeMs } = await handle.stat()
    const first = Buffer.allocUnsafe(Math.min(size, FIRST_READ_BYTES))
    const { bytesRead } = await handle.read(first, 0, first.length, 0)
    const header = decodeHeader(first.subarray(0, bytesRead))
    if (header === undefined || header.recordBytes !== size) return { state: 'corrupt' }
    const keyEnd = HEADER_BYTES + header.keyBytes
    let keyBytes = first.subarray(HEADER_BYTES, Math.min(keyEnd, bytesRead))
    if (keyBytes.length < header.keyBytes) {
      keyBytes = Buffer.allocUnsafe(header.keyBytes)
      const rest = await handle.read(keyBytes, 0, header.keyBytes, HEADER_BYTES)
      if (rest.bytesRead !== header.keyBytes) return { state: 'corrupt' }
    }
    const key = keyBytes.toString('utf16le')
    return {
      state: 'valid',
      linked: header.linked,
      key,
      expiresAt: header.expiresAt,
      size,
      mtimeMs,
    }
  })
}
