/**
 * Model-based test of issue 9's guarantees under faults: random sequences of every
 * public mutation and read (set, setMany, add, get, getMany, getOrSet, delete,
 * deleteMany, clear, namespace clear, invalidateTags, expireTags) over hostile
 * namespace ids and keys, against a cache of 0-1 memory tier and 1-2 fault stores,
 * with or without write-behind, under one fault profile per run (fault-profiles.ts).
 * After every command, every (namespace, key) is read and checked against
 * guarantee-model.ts:
 *
 * 1. no read returns a value a resolved removal (delete, clear, tags) removed;
 * 2. no read returns a value older than the last resolved set of that key;
 * 3. a value is only ever read for exactly the key it was written under;
 * 4. no namespace reaches another's entries or tags.
 *
 * With faults a miss is always allowed, a wrong value never; without them the model is
 * exact. Reproduce a failure with the `{ seed, path }` fast-check prints:
 * `FC_SEED=<seed> FC_PATH=<path> pnpm exec vitest run test/model/faults.model.test.ts -t <profile>`.
 * More runs: `FC_RUNS=<n>` (per profile), or scripts/model-nightly.sh.
 */
import fc from 'fast-check'
import { describe, test } from 'vitest'
import { FAULT_PROFILES } from './fault-profiles.js'
import {
  type GuaranteeCommand,
  type GuaranteeConfig,
  guaranteeCommand,
  guaranteeConfig,
} from './guarantee-commands.js'
import { GuaranteeModel } from './guarantee-model.js'
import { GuaranteeSystem } from './guarantee-system.js'
import { runGuarantee, Values } from './run-guarantee.js'

const SEED = Number(process.env.FC_SEED ?? 20_261_202)
/** Per profile; 7 profiles × 100 = 700 runs in CI (about 13 s on the fixed engine, 2 cores). */
const NUM_RUNS = Number(process.env.FC_RUNS ?? 100)
/** Passing takes seconds per profile; a failure's shrinking (hung calls cost real ms) can take a minute. */
const TIMEOUT = Number(process.env.FC_TIMEOUT ?? 180_000)
const RUN_TIMEOUT = Number(process.env.FC_RUN_TIMEOUT ?? 10_000)
const replay = process.env.FC_PATH === undefined ? {} : { path: process.env.FC_PATH }

async function runScenario(config: GuaranteeConfig, commands: readonly GuaranteeCommand[]) {
  const system = new GuaranteeSystem(config)
  const exact = config.profile === 'none' && (config.local || !config.writeBehind)
  const model = new GuaranteeModel(exact)
  const values = new Values()
  try {
    for (const command of commands) await runGuarantee(system, model, values, command)
  } finally {
    await system.close()
  }
}

describe('issue 9 guarantees 1-4 under faults, against a model', () => {
  test.each(FAULT_PROFILES)(
    'profile %s',
    async (profile) => {
      await fc.assert(
        fc.asyncProperty(
          guaranteeConfig(profile),
          fc.array(guaranteeCommand, { minLength: 1, maxLength: 30, size: 'max' }),
          runScenario,
        ),
        // A run that does not finish in time is a failure: no call may hang (calls are
        // bounded by the tier timeout), so this is how a hang shows up, with its commands.
        { seed: SEED, numRuns: NUM_RUNS, timeout: RUN_TIMEOUT, ...replay },
      )
    },
    TIMEOUT,
  )
})
