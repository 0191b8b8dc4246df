import { expect } from 'vitest'
import type { Cache } from '../../src/index.js'
import type { GuaranteeCommand, Tag } from './guarantee-commands.js'
import type { GuaranteeModel } from './guarantee-model.js'
import type { GuaranteeSystem, Outcome } from './guarantee-system.js'
import type { Values } from './run-guarantee.js'

type Race = Extract<GuaranteeCommand, { op: 'race' }>

/** Turns a loader waits for a mutation before returning anyway (a mutation may wait for it). */
const PATIENCE = 200

/**
 * A load racing a mutation: the load's value is older than the mutation, so once the
 * mutation resolved it must not be read if the mutation removed it (delete, clear, an
 * invalidation of its tags) or superseded it (set) — guarantees 1 and 2, the issue's
 * "a load whose remote write is slow" and "single-flight across a delete".
 */
export async function runRace(
  system: GuaranteeSystem,
  model: GuaranteeModel,
  values: Values,
  command: Race,
): Promise<void> {
  const view = system.view(command.ns)
  const loaded = values.next()
  let loaderRunning = false
  let returnLoad!: () => void
  const loaderMayReturn = new Promise<void>((resolve) => (returnLoad = resolve))
  const loading = settle(
    view.getOrSet(
      command.key,
      async () => {
        loaderRunning = true
        await loaderMayReturn
        return loaded
      },
      command.tags.length > 0 ? { tags: command.tags } : {},
    ),
  )
  const before = new Set(model.allowed(command).keys())
  let loadDone = false
  void loading.then(() => (loadDone = true))
  while (!loaderRunning && !loadDone) await system.turn()
  if (!loaderRunning) {
    // A value was served without the loader: nothing raced.
    const load = await loading
    if (!load.ok) expect.fail(`getOrSet rejected (non-strict): ${String(load.error)}`)
    expect(before.has(load.value as number), 'getOrSet served a value not allowed').toBe(true)
    return
  }

  if (command.loaderReturns === 'before-mutation') {
    returnLoad()
    for (let turn = 0; turn < command.gap; turn++) await system.turn()
  }
  const written = values.next()
  const mutation = settle(mutate(view, command, written))
  let mutated = false
  void mutation.then(() => (mutated = true))
  for (let turn = 0; !mutated; turn++) {
    if (turn === PATIENCE) returnLoad()
    await system.turn()
  }
  returnLoad()
  const load = await system.drive(() => loading)
  const done = await mutation

  if (!load.ok || !load.value.ok) expect.fail(`the racing getOrSet rejected: ${describe(load)}`)
  expect(load.value.value, 'the racing getOrSet returns what its loader loaded').toBe(loaded)
  if (!done.ok && system.config.profile === 'none') {
    expect.fail(`${command.mutation} rejected with no fault injected: ${String(done.error)}`)
  }
  model.maybeWritten(command, loaded, command.tags) // older than the mutation
  if (done.ok) apply(model, command, written)
  if (command.mutation !== 'set') model.loosen(command)
}

function mutate(view: Cache, command: Race, value: number): Promise<unknown> {
  switch (command.mutation) {
    case 'delete':
      return view.delete(command.key)
    case 'set':
      return view.set(command.key, value, tagged(command.tags))
    case 'clear':
      return view.clear()
    case 'invalidateTags':
      return view.invalidateTags(command.tags)
  }
}

function apply(model: GuaranteeModel, command: Race, value: number): void {
  if (command.mutation === 'delete') model.removed(command.ns, [command.key])
  else if (command.mutation === 'set') model.written(command, value, command.tags)
  else if (command.mutation === 'clear') model.cleared(command.ns)
  else model.tagsChanged(command.ns, command.tags)
}

function tagged(tags: readonly Tag[]) {
  return tags.length > 0 ? { tags } : {}
}

function settle<T>(promise: Promise<T>): Promise<Outcome<T>> {
  return promise.then(
    (value): Outcome<T> => ({ ok: true, value }),
    (error: unknown): Outcome<T> => ({ ok: false, error }),
  )
}

function describe(outcome: Outcome<Outcome<unknown>>): string {
  if (!outcome.ok) return String(outcome.error)
  return outcome.value.ok ? 'no' : String(outcome.value.error)
}
