import type { ChainableCommander } from 'ioredis'
import { isCluster, type RedisClient } from './client.js'
import { hashSlot } from './slot.js'

/** Indexes (into a call's key list) of keys that may share one multi-key command. */
export type KeyGroup = number[]

/** Groups sent in one pipeline, i.e. one round trip to one server. */
export type Batch = KeyGroup[]

/**
 * Plans a multi-key call. A standalone server takes every key in one group of one
 * batch. On a Cluster, keys are grouped by hash slot (a multi-key command must stay
 * within a slot, or Redis answers CROSSSLOT) and the groups by the master serving the
 * slot, so that each master gets one pipeline. Groups whose slot has no known master
 * yet get a batch of their own, which ioredis routes (and redirects) by itself.
 */
export function planBatches(client: RedisClient, keys: readonly string[]): Batch[] {
  if (!isCluster(client)) return keys.length === 0 ? [] : [[keys.map((_, index) => index)]]
  const bySlot = new Map<number, KeyGroup>()
  keys.forEach((key, index) => {
    const slot = hashSlot(Buffer.from(key))
    const group = bySlot.get(slot)
    if (group) group.push(index)
    else bySlot.set(slot, [index])
  })
  const byMaster = new Map<string, Batch>()
  const unrouted: Batch[] = []
  for (const [slot, group] of bySlot) {
    const master = client.slots[slot]?.[0]
    if (master === undefined) {
      unrouted.push([group])
      continue
    }
    const batch = byMaster.get(master)
    if (batch) batch.push(group)
    else byMaster.set(master, [group])
  }
  return [...byMaster.values(), ...unrouted]
}

/**
 * Sends each batch as one pipeline (all batches concurrently), `addCommands` adding the
 * commands of each group. Resolves each pipeline's replies, in command order; rejects
 * with the first failed command's error.
 */
export async function runBatches(
  client: RedisClient,
  batches: readonly Batch[],
  addCommands: (pipeline: ChainableCommander, group: KeyGroup) => void,
): Promise<unknown[][]> {
  return Promise.all(
    batches.map(async (batch) => {
      const pipeline = client.pipeline()
      for (const group of batch) addCommands(pipeline, group)
      const replies = (await pipeline.exec()) ?? []
      return replies.map(([error, reply]) => {
        if (error) throw error
        return reply
      })
    }),
  )
}
