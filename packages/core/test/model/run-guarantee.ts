import { expect } from 'vitest'
import {
  type GuaranteeCommand,
  KEYS,
  NAMESPACES,
  type Ref,
  type Tag,
} from './guarantee-commands.js'
import type { GuaranteeModel } from './guarantee-model.js'
import type { GuaranteeSystem, Outcome } from './guarantee-system.js'
import { runRace } from './run-race.js'

const LOADER_ERROR = 'loader failed (model)'

/** Values handed to writes and loaders; every one is new, so a value names its write. */
export class Values {
  #last = 0
  next(): number {
    return ++this.#last
  }
}

const tagged = (tags: readonly Tag[]) => (tags.length > 0 ? { tags } : {})

/**
 * Runs one command on the engine, updates the model from its outcome, and checks that
 * every (namespace, key) still reads only what the model allows (guarantees 1-4).
 */
export async function runGuarantee(
  system: GuaranteeSystem,
  model: GuaranteeModel,
  values: Values,
  command: GuaranteeCommand,
): Promise<void> {
  const faults = system.config.profile !== 'none'
  system.clock.advance(1)
  switch (command.op) {
    case 'set': {
      const value = values.next()
      const done = await system.drive(() =>
        system.view(command.ns).set(command.key, value, tagged(command.tags)),
      )
      mutation(done, faults, 'set')
      if (done.ok) model.written(command, value, command.tags)
      else model.maybeWritten(command, value, command.tags)
      break
    }
    case 'setMany': {
      const items = command.items.map((item) => ({ ...item, value: values.next() }))
      const done = await system.drive(() =>
        system
          .view(command.ns)
          .setMany(items.map(({ key, value, tags }) => ({ key, value, ...tagged(tags) }))),
      )
      mutation(done, faults, 'setMany')
      for (const { key, value, tags } of items) {
        if (done.ok) model.written({ ns: command.ns, key }, value, tags)
        else model.maybeWritten({ ns: command.ns, key }, value, tags)
      }
      break
    }
    case 'add': {
      const value = values.next()
      const mustRefuse = model.allowed(command).size > 0 && !model.mayMiss(command)
      const done = await system.drive(() =>
        system.view(command.ns).add(command.key, value, tagged(command.tags)),
      )
      mutation(done, faults, 'add')
      if (mustRefuse && done.ok && done.value) {
        expect.fail(`add succeeded over a live value of ${JSON.stringify(command)}`)
      }
      // A failed or refused add may still have reached a tier: its value may show up.
      if (faults || (done.ok && done.value)) model.maybeWritten(command, value, command.tags)
      break
    }
    case 'get': {
      const done = await system.drive(() => system.view(command.ns).get(command.key))
      checkRead(model, command, done)
      break
    }
    case 'getOrSet':
      await getOrSet(system, model, values, command)
      break
    case 'delete':
    case 'deleteMany': {
      const keys = command.op === 'delete' ? [command.key] : command.keys
      const view = system.view(command.ns)
      const done = await system.drive<unknown>(() =>
        command.op === 'delete' ? view.delete(command.key) : view.deleteMany(keys),
      )
      mutation(done, faults, command.op)
      if (done.ok) model.removed(command.ns, keys)
      break
    }
    case 'clear': {
      const done = await system.drive(() => system.view(command.ns).clear())
      mutation(done, faults, 'clear')
      if (done.ok) model.cleared(command.ns)
      break
    }
    case 'invalidateTags':
    case 'expireTags': {
      const view = system.view(command.ns)
      const done = await system.drive(() =>
        command.op === 'invalidateTags'
          ? view.invalidateTags(command.tags)
          : view.expireTags(command.tags),
      )
      mutation(done, faults, command.op)
      if (done.ok) model.tagsChanged(command.ns, command.tags)
      break
    }
    case 'race':
      await runRace(system, model, values, command)
      break
    case 'release':
      await system.release()
      break
    case 'idle':
      for (let i = 0; i < command.ticks; i++) await system.turn()
      break
  }
  await checkEveryKey(system, model)
}

async function getOrSet(
  system: GuaranteeSystem,
  model: GuaranteeModel,
  values: Values,
  command: Extract<GuaranteeCommand, { op: 'getOrSet' }>,
): Promise<void> {
  const value = values.next()
  // Taken before the model learns of the load.
  const hadValue = model.allowed(command).size > 0
  const exact = !model.mayMiss(command)
  let calls = 0
  const done = await system.drive(() =>
    system.view(command.ns).getOrSet(
      command.key,
      () => {
        calls++
        if (command.fails) throw new Error(LOADER_ERROR)
        return value
      },
      tagged(command.tags),
    ),
  )
  if (!done.ok) {
    // Non-strict: the caller sees its loader's error, never a tier's.
    expect((done.error as Error).message, 'getOrSet rejected with a tier error').toBe(LOADER_ERROR)
    expect(calls).toBe(1)
    return
  }
  if (calls > 0) {
    expect(done.value, 'getOrSet returned something else than what it loaded').toBe(value)
    model.maybeWritten(command, value, command.tags)
  } else {
    const why = model.violation(command, done.value)
    if (why !== undefined || done.value === undefined)
      expect.fail(`getOrSet: ${why ?? 'undefined'}`)
  }
  if (exact) expect(calls, 'loader calls with no fault injected').toBe(hadValue ? 0 : 1)
}

function checkRead(model: GuaranteeModel, ref: Ref, done: Outcome<unknown>): void {
  if (!done.ok) expect.fail(`a read rejected (non-strict): ${String(done.error)}`)
  const why = model.violation(ref, done.value)
  if (why !== undefined) expect.fail(why)
}

/** Without faults nothing may reject; with them, a mutation may report its failure. */
function mutation(done: Outcome<unknown>, faults: boolean, op: string): void {
  if (!done.ok && !faults)
    expect.fail(`${op} rejected with no fault injected: ${String(done.error)}`)
}

/** Guarantees 1-4 for every (namespace, key): one `getMany` per namespace. */
async function checkEveryKey(system: GuaranteeSystem, model: GuaranteeModel): Promise<void> {
  for (const ns of NAMESPACES) {
    const done = await system.drive(() => system.view(ns).getMany([...KEYS]))
    if (!done.ok) expect.fail(`getMany rejected (non-strict): ${String(done.error)}`)
    KEYS.forEach((key, i) => {
      const why = model.violation({ ns, key }, done.value[i])
      if (why !== undefined) expect.fail(`after the step, getMany ${why}`)
    })
  }
}
