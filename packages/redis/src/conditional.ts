import type { ChainableCommander, Redis } from 'ioredis'
import type { RedisClient } from './client.js'
import { FRAME_MARK, TOMBSTONE, VERSIONED } from './frame.js'
import type { Expiry } from './validate.js'

/**
 * Conditional writes on one key, each one Lua script (atomic, and Cluster-safe: a single
 * key). The version lives in the value's frame (see frame.ts): a versioned value is
 * `0xCF 0x02 version[8, float64 BE] frame`, a tombstone `0xCF 0x03 version[8]`, with the
 * tombstone's deadline as the key's own expiry. Lua compares the versions as doubles.
 *
 * ARGV of every script: the expiry (`''` never, `'past'`, or the PXAT) first.
 */
const HELD_VERSION = `
local function held(key)
  local head = redis.call('GETRANGE', key, 0, 9)
  if string.len(head) == 10 and string.byte(head, 1) == ${FRAME_MARK} then
    local kind = string.byte(head, 2)
    if kind == ${VERSIONED} or kind == ${TOMBSTONE} then
      return struct.unpack('>d', string.sub(head, 3, 10)), kind == ${TOMBSTONE}
    end
  end
  return nil, string.sub(head, 1, 2) == string.char(${FRAME_MARK}, ${TOMBSTONE})
end
local function write(key, value, expiry)
  if expiry == '' then redis.call('SET', key, value)
  else redis.call('SET', key, value, 'PXAT', expiry) end
end
`

/** ARGV: expiry, version bytes, framed value. 1 written (or removed, for a past expiry), 0 refused. */
const SET_IF_NEWER = `${HELD_VERSION}
local version = struct.unpack('>d', ARGV[2])
local current = held(KEYS[1])
if current ~= nil and current > version then return 0 end
if ARGV[1] == 'past' then redis.call('UNLINK', KEYS[1]) return 1 end
write(KEYS[1], string.char(${FRAME_MARK}, ${VERSIONED}) .. ARGV[2] .. ARGV[3], ARGV[1])
return 1
`

/** ARGV: tombstone expiry, version bytes. 1 when a live value was removed, else 0. */
const DELETE_IF_NEWER = `${HELD_VERSION}
local version = struct.unpack('>d', ARGV[2])
local current, tombstone = held(KEYS[1])
if current ~= nil and current > version then return 0 end
local live = redis.call('EXISTS', KEYS[1]) == 1 and not tombstone
if ARGV[1] == 'past' then redis.call('UNLINK', KEYS[1])
else write(KEYS[1], string.char(${FRAME_MARK}, ${TOMBSTONE}) .. ARGV[2], ARGV[1]) end
if live then return 1 end
return 0
`

/** A plain delete that does not count a tombstone as live. ARGV: none. */
const DELETE_LIVE = `${HELD_VERSION}
local _, tombstone = held(KEYS[1])
if redis.call('UNLINK', KEYS[1]) == 1 and not tombstone then return 1 end
return 0
`

/** A plain add to which a tombstone is an absent key. ARGV: expiry, framed value. */
const ADD_UNLESS_LIVE = `${HELD_VERSION}
local _, tombstone = held(KEYS[1])
if redis.call('EXISTS', KEYS[1]) == 1 and not tombstone then return 0 end
if ARGV[1] ~= 'past' then write(KEYS[1], ARGV[2], ARGV[1]) end
return 1
`

const COMMANDS = {
  stackSetIfNewer: SET_IF_NEWER,
  stackDeleteIfNewer: DELETE_IF_NEWER,
  stackDeleteLive: DELETE_LIVE,
  stackAddUnlessLive: ADD_UNLESS_LIVE,
} as const

type ScriptArgument = string | Buffer
type Commands = Record<keyof typeof COMMANDS, (key: string, ...args: ScriptArgument[]) => unknown>

/**
 * Defines the scripts as commands of `client` (ioredis sends them by `EVALSHA`, loading
 * them on `NOSCRIPT`, also in pipelines and on every Cluster node).
 */
export function defineConditionalCommands(client: RedisClient): void {
  for (const [name, lua] of Object.entries(COMMANDS)) {
    client.defineCommand(name, { numberOfKeys: 1, lua })
  }
}

function commands(target: RedisClient | ChainableCommander): Commands {
  return target as unknown as Commands
}

function expiryArgument(expiry: Expiry): string {
  if (expiry === 'never') return ''
  return expiry === 'past' ? 'past' : String(expiry)
}

/** The version as the 8 bytes stored in frames (float64, big-endian). */
export function versionBytes(version: number): Buffer {
  const bytes = Buffer.alloc(8)
  bytes.writeDoubleBE(version)
  return bytes
}

export async function setIfNewer(
  client: RedisClient,
  redisKey: string,
  version: number,
  framed: Buffer,
  expiry: Expiry,
): Promise<boolean> {
  const args = [expiryArgument(expiry), versionBytes(version), framed]
  return (await commands(client).stackSetIfNewer(redisKey, ...args)) === 1
}

export async function deleteIfNewer(
  client: RedisClient,
  redisKey: string,
  version: number,
  tombstone: Expiry,
): Promise<boolean> {
  const args = [expiryArgument(tombstone), versionBytes(version)]
  return (await commands(client).stackDeleteIfNewer(redisKey, ...args)) === 1
}

export async function deleteLive(client: RedisClient, redisKey: string): Promise<boolean> {
  return (await commands(client).stackDeleteLive(redisKey)) === 1
}

/** Queues {@link deleteLive} in a pipeline; its reply is 1 for a removed live value. */
export function queueDeleteLive(pipeline: ChainableCommander, redisKey: string): void {
  commands(pipeline).stackDeleteLive(redisKey)
}

export async function addUnlessLive(
  client: RedisClient,
  redisKey: string,
  framed: Buffer,
  expiry: Expiry,
): Promise<boolean> {
  return (await commands(client).stackAddUnlessLive(redisKey, expiryArgument(expiry), framed)) === 1
}

/** `keys` of one server without its tombstones (one pipelined `GETRANGE` per key). */
export async function withoutTombstones(server: Redis, keys: Buffer[]): Promise<Buffer[]> {
  const pipeline = server.pipeline()
  for (const key of keys) pipeline.getrangeBuffer(key, 0, 1)
  const replies = (await pipeline.exec()) ?? []
  return keys.filter((_, i) => {
    const [error, head] = replies[i] ?? []
    if (error) throw error
    const bytes = head as Buffer
    return !(bytes.length === 2 && bytes[0] === FRAME_MARK && bytes[1] === TOMBSTONE)
  })
}
