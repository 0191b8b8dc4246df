import { expect } from 'vitest'
import type { Cache } from '../../src/index.js'
import { ALL_KEY_REFS, type Command, fullKey, type KeyRef, TAG_POOL } from './commands.js'
import type { ReferenceCache } from './reference-cache.js'
import { type System, settle } from './system.js'

/** Values handed to writes and loaders; every one is new, so a value names its write. */
export class Counter {
  #last = 0
  next(): number {
    return ++this.#last
  }
}

/** Values of a key that property 1 allows anything to serve (alive) and a plain read to serve (fresh). */
function servable(model: ReferenceCache, key: string) {
  const held = model.allHeld(key)
  return {
    alive: new Set(held.filter((entry) => model.isAlive(entry)).map((entry) => entry.value)),
    fresh: new Set(held.filter((entry) => model.isFresh(entry)).map((entry) => entry.value)),
  }
}

function writeOptions(command: { ttl: number | undefined; tags: readonly string[] }) {
  return {
    ...(command.ttl !== undefined && { ttl: command.ttl }),
    ...(command.tags.length > 0 && { tags: command.tags }),
  }
}

/** Property 2 on a read: a value only if the model holds it fresh, and exactly the model's answer. */
function checkRead(actual: unknown, expected: number | undefined, fresh: ReadonlySet<number>) {
  if (actual !== undefined)
    expect(fresh.has(actual as number), 'served a value that is not fresh').toBe(true)
  expect(actual).toBe(expected)
}

/**
 * Runs `command` on the engine and the model, then checks the properties of that
 * command and, for every key, that each tier holds exactly what the model says.
 */
export async function runCommand(
  system: System,
  model: ReferenceCache,
  counter: Counter,
  command: Command,
): Promise<void> {
  const bus = system.config.bus
  switch (command.op) {
    case 'set': {
      const value = counter.next()
      const tiers = command.tiers
      await system.view(command.scope).set(command.key, value, {
        ...writeOptions(command),
        ...(tiers !== undefined && { tiers }),
      })
      model.set(fullKey(command), model.entry(value, command), tiers)
      break
    }
    case 'get': {
      const key = fullKey(command)
      const before = servable(model, key)
      const tiers = command.tiers
      const actual = await system
        .view(command.scope)
        .get(command.key, tiers === undefined ? undefined : { tiers })
      checkRead(actual, model.get(key, tiers), before.fresh)
      break
    }
    case 'getMany': {
      const refs = sameScope(command.refs)
      const before = refs.map((ref) => servable(model, fullKey(ref)))
      const actual = await system.view(refs[0]?.scope ?? 'root').getMany(refs.map((r) => r.key))
      const expected = model.getMany(refs.map(fullKey))
      for (const [i, value] of actual.entries()) {
        checkRead(value, expected[i], (before[i] as { fresh: Set<number> }).fresh)
      }
      break
    }
    case 'getOrSet': {
      const key = fullKey(command)
      const before = servable(model, key)
      const value = counter.next()
      let calls = 0
      const loader = () => {
        calls++
        if (command.fails) throw new Error('loader failed')
        return value
      }
      const actual = await system
        .view(command.scope)
        .getOrSet(command.key, loader, writeOptions(command))
        .then(
          (result) => ({ value: result }),
          () => ({ error: true as const }),
        )
      await settle() // let a background refresh run before counting loader calls
      const expected = model.getOrSet(key, value, command)
      // Property 1: whatever is served (fresh, stale or grace) is alive or was just loaded.
      if ('value' in actual && actual.value !== value) {
        expect(before.alive.has(actual.value), 'served a dead entry').toBe(true)
      }
      // Property 4: a value fresh in any tier is served without the loader; otherwise the
      // loader runs exactly once (a background refresh included), unless a failed load's
      // grace backoff is still running (the model knows when).
      if (before.fresh.size > 0) expect(calls, 'loader called over a fresh value').toBe(0)
      expect(calls, 'loader calls').toBe(expected.loaderCalls)
      expect(actual).toEqual(expected.result)
      break
    }
    case 'add': {
      const key = fullKey(command)
      const value = counter.next()
      const entry = model.entry(value, command)
      const held = model.held(model.remotes.at(-1) ?? model.local, key)
      const ownerAlive = held !== undefined && model.isAlive(held)
      const added = await system.view(command.scope).add(command.key, value, writeOptions(command))
      // Property 5: true only when the tier that decides holds no live entry.
      if (added) expect(ownerAlive, 'add succeeded over a live entry').toBe(false)
      expect(added).toBe(model.add(key, entry))
      break
    }
    case 'delete': {
      const removed = await system.view(command.scope).delete(command.key)
      expect(removed).toBe(model.delete([fullKey(command)]) > 0)
      break
    }
    case 'deleteMany': {
      const refs = sameScope(command.refs)
      const removed = await system.view(refs[0]?.scope ?? 'root').deleteMany(refs.map((r) => r.key))
      expect(removed).toBe(model.delete(refs.map(fullKey)))
      break
    }
    case 'advance':
      advance(system, model, command.ms)
      break
    case 'advanceToEdge': {
      const entry = model.allHeld(fullKey(command)).at(-1)
      if (entry === undefined) break
      advance(system, model, Math.max(0, entry[command.edge] + command.delta - model.now))
      break
    }
    case 'changeTags':
      await changeTags(system.cache, command.tags, command.hard)
      model.changeTags(command.tags, command.hard)
      break
    case 'clear':
      await system.view(command.namespace).clear()
      model.clear(`${command.namespace}:`)
      break
    case 'otherSet': {
      if (system.other === undefined) break
      const value = counter.next()
      await system.view(command.scope, system.other).set(command.key, value, writeOptions(command))
      model.otherSet(fullKey(command), model.entry(value, command), bus)
      break
    }
    case 'otherDelete':
      if (system.other === undefined) break
      await system.view(command.scope, system.other).delete(command.key)
      model.otherDelete(fullKey(command), bus)
      break
    case 'otherChangeTags':
      // Without a bus, when this cache learns of another's tag change depends on its tag
      // sync interval and read paths; the model keeps tag changes to the bus case.
      if (system.other === undefined || !bus) break
      await changeTags(system.other, command.tags, command.hard)
      model.changeTags(command.tags, command.hard)
      break
    case 'otherClear':
      if (system.other === undefined) break
      await system.view(command.namespace, system.other).clear()
      model.otherClear(`${command.namespace}:`, bus)
      break
  }
  await settle()
  await checkTiers(system, model)
}

/** A batch call goes to one namespace: the refs of the first ref's scope. */
function sameScope(refs: readonly KeyRef[]): KeyRef[] {
  return refs.filter((ref) => ref.scope === refs[0]?.scope)
}

function advance(system: System, model: ReferenceCache, ms: number): void {
  system.clock.advance(ms)
  model.now += ms
}

function changeTags(cache: Cache, tags: readonly string[], hard: boolean): Promise<void> {
  return hard ? cache.invalidateTags(tags) : cache.expireTags(tags)
}

/**
 * Property 3 and the rest of the bookkeeping: every tier holds exactly the model's entry
 * for every key (same value and deadlines, so a backfilled copy never outlives its
 * source), nothing past its `staleUntil`, and the model's tag timestamps.
 */
async function checkTiers(system: System, model: ReferenceCache): Promise<void> {
  for (const ref of ALL_KEY_REFS) {
    const key = fullKey(ref)
    const actual = await system.tierEntries(key)
    const expected = [
      ...(model.local ? [model.held(model.local, key)] : []),
      ...model.remotes.map((tier) => model.held(tier, key)),
    ]
    expect(actual, `tiers holding "${key}" at t=${model.now - system.start}`).toEqual(expected)
  }
  for (const tag of TAG_POOL) {
    for (const hard of [true, false]) {
      const times = model.tagTimes.get(tag)
      const at = times === undefined ? undefined : hard ? times.hard : times.soft
      const expected = at === undefined || at === Number.NEGATIVE_INFINITY ? undefined : at
      const actual = await system.tagTimestamps(tag, hard)
      expect(actual, `timestamps of tag ${tag}`).toEqual(model.remotes.map(() => expected))
    }
  }
}
