import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { nullStore } from '@stack/core'
import { describe, expect, test } from 'vitest'
import { conformanceCases, nullStoreCases } from '../src/index.js'
import { collectOutcomes, skippedTitles } from './support/collect.js'
import { type MapBackend, mapStore } from './support/map-store.js'

function onOneBackend() {
  const backend: MapBackend = new Map()
  return () => mapStore({ backend })
}

const packageRoot = fileURLToPath(new URL('..', import.meta.url))

/** Runs one fixture under `node --test` and reads its TAP summary. */
function runUnderNodeTest(fixture: string) {
  const result = spawnSync(
    process.execPath,
    ['--test', '--test-reporter=tap', `test/fixtures/${fixture}`],
    { cwd: packageRoot, encoding: 'utf8', timeout: 60_000 },
  )
  const count = (label: string) =>
    Number(new RegExp(`^# ${label} (\\d+)$`, 'm').exec(result.stdout)?.[1])
  return {
    status: result.status,
    output: result.stdout + result.stderr,
    pass: count('pass'),
    fail: count('fail'),
    skipped: count('skipped'),
  }
}

describe('under node:test', () => {
  test('the fixtures import the built package', () => {
    expect(existsSync(`${packageRoot}dist/index.js`), 'run `pnpm build` first').toBe(true)
  })

  test('the suite passes on sound stores, and cases that do not apply are skipped', async () => {
    const run = runUnderNodeTest('node-test-passing.fixture.ts')
    expect(run.fail, run.output).toBe(0)
    // The same stores under the collecting runner, which skips through the test context too.
    const expected = [
      ...(await collectOutcomes({
        name: 'nullStore()',
        createStore: nullStore,
        capabilities: { persists: false },
      })),
      ...(await collectOutcomes({ name: 'map store', createStore: onOneBackend() })),
    ]
    const skipped = skippedTitles(expected).length
    expect(skipped).toBeGreaterThan(conformanceCases.length)
    expect({ pass: run.pass, skipped: run.skipped }).toEqual({
      pass: 2 * (nullStoreCases.length + conformanceCases.length) - skipped,
      skipped,
    })
    expect(run.status).toBe(0)
  }, 60_000)

  test('failures of a broken store reach node:test', () => {
    const run = runUnderNodeTest('node-test-failing.fixture.ts')
    expect(run.output).toMatch(/must survive clear/)
    // The clear(prefix) cases, each natively and through completeStore: only the literal one fails.
    expect({ pass: run.pass, fail: run.fail }).toEqual({ pass: 4, fail: 2 })
    expect(run.status).toBe(1)
  }, 60_000)
})
