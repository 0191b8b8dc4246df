import { mkdir, stat, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { hasCode, unlinkQuietly } from './fs-ops.js'

/**
 * A per-key lock shared by every process using the directory: the lock is held by whoever
 * created `<entry>.lock` with an exclusive create. It guards the few steps that replace or
 * remove an expired entry, so that those steps never race each other.
 *
 * A lock older than {@link LOCK_STALE_MS} is treated as left behind by a crashed process
 * and broken. The guarded steps take milliseconds, so a live holder is never that slow
 * unless its process is paused; that pause is the one case where two holders can overlap.
 */
export const LOCK_STALE_MS = 5_000
/** How long {@link acquireLock} waits: past the stale age, so a crashed holder never blocks. */
const LOCK_WAIT_MS = LOCK_STALE_MS + 1_000

/** Takes the lock if it is free right now; `false` when someone holds it. */
export async function tryLock(lock: string): Promise<boolean> {
  try {
    await writeFile(lock, '', { flag: 'wx' })
    return true
  } catch (error) {
    if (hasCode(error, 'EEXIST')) return false
    if (!hasCode(error, 'ENOENT')) throw error
  }
  await mkdir(dirname(lock), { recursive: true })
  return tryLock(lock)
}

/**
 * Takes the lock, waiting for its holder with a short jittered back-off and breaking a
 * stale lock. Rejects after {@link LOCK_WAIT_MS}, which only a paused holder can cause.
 */
export async function acquireLock(lock: string): Promise<void> {
  const deadline = Date.now() + LOCK_WAIT_MS
  for (let attempt = 0; ; attempt++) {
    if (await tryLock(lock)) return
    if (await breakIfStale(lock)) continue
    if (Date.now() > deadline)
      throw new Error(`lock ${lock} is still held after ${LOCK_WAIT_MS} ms`)
    await sleep(Math.min(2 ** attempt, 25) * (0.5 + Math.random()))
  }
}

/** Releases a lock taken by {@link tryLock} or {@link acquireLock}. */
export async function releaseLock(lock: string): Promise<void> {
  await unlinkQuietly(lock)
}

/** Removes the lock if it is older than {@link LOCK_STALE_MS}; `true` if it did. */
export async function breakIfStale(lock: string, now = Date.now()): Promise<boolean> {
  try {
    const { mtimeMs } = await stat(lock)
    if (now - mtimeMs < LOCK_STALE_MS) return false
  } catch (error) {
    if (hasCode(error, 'ENOENT')) return true
    throw error
  }
  await unlinkQuietly(lock)
  return true
}
