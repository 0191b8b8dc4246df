import { createHash } from 'node:crypto'
import { payloadDigest, splitEnvelope } from '@stack/core/store-kit'
import type { RedisClient } from './client.js'
import { DEDUP_FRAME_BYTES, DEDUP_PREFIX_BYTES, dedupPrefix, frameDedup } from './frame.js'

/**
 * Rewrites the header of a dedup-framed value in place when the stored frame carries the
 * same payload digest. KEYS[1]: the key. ARGV: the frame prefix (mark, kind, digest), the
 * new envelope header, the PXAT (or '' for no expiry). Returns 1 when rewritten, 0 when
 * the key holds anything else (absent, expired, another payload, not framed). Atomic: a
 * reader sees the old entry or the new one.
 */
const REWRITE_HEADER = `
local key = KEYS[1]
local frame = redis.call('GETRANGE', key, 0, ${DEDUP_FRAME_BYTES - 1})
if string.len(frame) < ${DEDUP_FRAME_BYTES} or string.sub(frame, 1, ${DEDUP_PREFIX_BYTES}) ~= ARGV[1] then
  return 0
end
local b1, b2, b3, b4 = string.byte(frame, ${DEDUP_PREFIX_BYTES + 1}, ${DEDUP_FRAME_BYTES})
local old = ((b1 * 256 + b2) * 256 + b3) * 256 + b4
local header = ARGV[2]
local length = string.len(header)
if length == old then
  redis.call('SETRANGE', key, ${DEDUP_FRAME_BYTES}, header)
else
  local payload = redis.call('GETRANGE', key, ${DEDUP_FRAME_BYTES} + old, -1)
  local bytes = string.char(math.floor(length / 16777216) % 256, math.floor(length / 65536) % 256,
    math.floor(length / 256) % 256, length % 256)
  redis.call('SET', key, ARGV[1] .. bytes .. header .. payload)
end
if ARGV[3] == '' then
  redis.call('PERSIST', key)
else
  redis.call('PEXPIREAT', key, ARGV[3])
end
return 1
`

const REWRITE_HEADER_SHA1 = createHash('sha1').update(REWRITE_HEADER).digest('hex')

/**
 * Runs the script by its SHA-1 (no script text on the wire), loading it with `EVAL` when
 * the server does not have it yet (first use, a restart, `SCRIPT FLUSH`, another node).
 */
async function rewriteHeader(client: RedisClient, args: (string | Buffer)[]): Promise<unknown> {
  try {
    return await client.evalsha(REWRITE_HEADER_SHA1, 1, ...args)
  } catch (error) {
    if (!String((error as Error).message).startsWith('NOSCRIPT')) throw error
    return client.eval(REWRITE_HEADER, 1, ...args)
  }
}

/** A deduplicating write, prepared: what to try first and what to write if that fails. */
export interface DedupWrite {
  /** Sends the header-only rewrite; resolves whether it applied. */
  rewrite(client: RedisClient, redisKey: string, pxat: number | 'never'): Promise<boolean>
  /** The full framed value, for when the rewrite did not apply (built on demand). */
  framed(): Buffer
}

/** The deduplicating form of a write, or `undefined` when the value is not an envelope. */
export function prepareDedupWrite(value: Buffer): DedupWrite | undefined {
  const parts = splitEnvelope(value)
  if (parts === undefined) return undefined
  const prefix = dedupPrefix(payloadDigest(parts.payload))
  const header = value.subarray(0, parts.header.byteLength)
  return {
    framed: () => frameDedup(prefix, header.byteLength, value),
    async rewrite(client, redisKey, pxat) {
      const at = pxat === 'never' ? '' : String(pxat)
      return (await rewriteHeader(client, [redisKey, prefix, header, at])) === 1
    },
  }
}
