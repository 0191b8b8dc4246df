import { readdir, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { type EnvelopeParts, payloadDigest } from '@stack/core/store-kit'
import {
  hasCode,
  readIfExists,
  replaceWith,
  unlinkQuietly,
  withFileIfExists,
  writeNewFile,
} from './fs-ops.js'
import { acquireLock, releaseLock, tryLock } from './key-lock.js'
import { type EntryPaths, entryPathsByName, helperPath } from './layout.js'
import {
  decodePayload,
  encodePayload,
  parsePayloadName,
  payloadFileBytes,
  payloadPath,
} from './payload.js'
import { DIGEST_BYTES, decodeHeader, encodeLinkedRecord, HEADER_BYTES } from './record.js'

/**
 * Linked entries: how `dedupeWrites` stores an envelope as a small record (its header and
 * payload digest) plus a payload file (see `payload.ts`). Every decision about which
 * payload file an entry uses, or may lose, is taken under the key's lock file: writers of
 * linked entries hold it while they pick or write the payload file and replace the record,
 * and payload files are only deleted by {@link dropUnusedPayloads}, under the same lock,
 * after checking that the record no longer names them. Readers take no lock: a reader
 * that finds its payload file gone reads the record again.
 */

/** What a linked write did. */
export interface LinkedWrite {
  /** `true` when the payload file was already there: only the record was written. */
  readonly reused: boolean
  /** Bytes written: the record, plus the payload file when it was written. */
  readonly bytes: number
}

/** Writes `parts` under `paths` as a linked record, reusing the payload file when it exists. */
export async function writeLinked(
  paths: EntryPaths,
  keyBytes: Buffer,
  parts: EnvelopeParts,
  expiresAt: number,
  fsync: boolean,
): Promise<LinkedWrite> {
  const digest = payloadDigest(parts.payload)
  const payloadFile = payloadPath(paths.file, Buffer.from(digest).toString('hex'))
  const record = encodeLinkedRecord(keyBytes, digest, parts.header, expiresAt)
  const temps: string[] = []
  await acquireLock(paths.lock)
  try {
    const reused = (await sizeOf(payloadFile)) === payloadFileBytes(parts.payload.byteLength)
    let bytes = record.length
    if (!reused) {
      const payload = encodePayload(parts.payload)
      temps.push(helperPath(paths.file, 'tmp'))
      await writeNewFile(temps[0] as string, payload, fsync)
      await replaceWith(temps[0] as string, payloadFile, fsync)
      bytes += payload.length
    }
    temps.push(helperPath(paths.file, 'tmp'))
    await writeNewFile(temps.at(-1) as string, record, fsync)
    await replaceWith(temps.at(-1) as string, paths.file, fsync)
    return { reused, bytes }
  } catch (error) {
    await Promise.all(temps.map(unlinkQuietly))
    throw error
  } finally {
    await releaseLock(paths.lock)
  }
}

/**
 * The value of a linked record: `header` then the payload file's bytes; `'missing'` when
 * the payload file is gone (the record was replaced meanwhile: read it again), `'corrupt'`
 * when the payload file is damaged (it is removed, so the next write writes it again).
 */
export async function readLinked(
  paths: EntryPaths,
  digest: Buffer,
  header: Buffer,
): Promise<Uint8Array | 'missing' | 'corrupt'> {
  const payloadFile = payloadPath(paths.file, digest.toString('hex'))
  const stored = await readIfExists(payloadFile)
  if (stored === undefined) return 'missing'
  const payload = decodePayload(stored)
  if (payload === undefined) {
    await unlinkQuietly(payloadFile)
    return 'corrupt'
  }
  const value = new Uint8Array(header.length + payload.length)
  value.set(header, 0)
  value.set(payload, header.length)
  return value
}

/**
 * Removes the payload files of entry `entry` in `dir` whose names are among `names` and
 * that its record no longer names, under the key's lock (all of them in one go: they
 * share that lock). Skips them when another caller holds the lock; resolves how many it
 * removed.
 */
export async function dropUnusedPayloads(
  root: string,
  entry: string,
  names: readonly string[],
): Promise<number> {
  const paths = entryPathsByName(root, entry)
  if (!(await tryLock(paths.lock))) return 0
  try {
    const kept = await linkedDigestOf(paths.file)
    const unused = names.filter((name) => {
      const parsed = parsePayloadName(name)
      return parsed?.entry === entry && parsed.digest !== kept
    })
    await Promise.all(unused.map((name) => unlinkQuietly(join(paths.dir, name))))
    return unused.length
  } finally {
    await releaseLock(paths.lock)
  }
}

/** The payload files among `names` (one directory's), grouped by the entry they belong to. */
export function payloadsByEntry(names: readonly string[]): Map<string, string[]> {
  const byEntry = new Map<string, string[]>()
  for (const name of names) {
    const entry = parsePayloadName(name)?.entry
    if (entry === undefined) continue
    const group = byEntry.get(entry)
    if (group) group.push(name)
    else byEntry.set(entry, [name])
  }
  return byEntry
}

/** Removes the payload files of the entry at `paths` that its record no longer names. */
export async function dropPayloadsOf(paths: EntryPaths): Promise<void> {
  const names = await readdir(paths.dir).catch((error: unknown) => {
    if (hasCode(error, 'ENOENT')) return []
    throw error
  })
  const own = payloadsByEntry(names).get(paths.name)
  if (own) await dropUnusedPayloads(dirname(paths.dir), paths.name, own)
}

/** The payload digest (hex) a linked record names, or `undefined` for any other file. */
function linkedDigestOf(file: string): Promise<string | undefined> {
  return withFileIfExists(file, async (handle) => {
    const fixed = Buffer.alloc(HEADER_BYTES)
    await handle.read(fixed, 0, HEADER_BYTES, 0)
    const header = decodeHeader(fixed)
    if (header === undefined || !header.linked) return undefined
    const bytes = Buffer.alloc(DIGEST_BYTES)
    const { bytesRead } = await handle.read(bytes, 0, DIGEST_BYTES, HEADER_BYTES + header.keyBytes)
    return bytesRead === DIGEST_BYTES ? bytes.toString('hex') : undefined
  })
}

async function sizeOf(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).size
  } catch (error) {
    if (hasCode(error, 'ENOENT')) return undefined
    throw error
  }
}
