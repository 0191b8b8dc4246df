import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { conformanceCases, nullStoreCases } from '../src/index.js'

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
  }
}

describe('under node:test', () => {
  test('the fixtures import the built package', () => {
    expect(existsSync(`${packageRoot}dist/index.js`), 'run `pnpm build` first').toBe(true)
  })

  test('the suite passes on sound stores', () => {
    const run = runUnderNodeTest('node-test-passing.fixture.ts')
    expect(run.fail, run.output).toBe(0)
    // Two variants of every case, for the null store and the map store.
    expect(run.pass).toBe(2 * (nullStoreCases.length + conformanceCases.length))
    expect(run.status).toBe(0)
  }, 60_000)

  test('failures of a broken store reach node:test', () => {
    const run = runUnderNodeTest('node-test-failing.fixture.ts')
    expect(run.output).toMatch(/must survive clear/)
    expect({ pass: run.pass, fail: run.fail }).toEqual({ pass: 2, fail: 2 })
    expect(run.status).toBe(1)
  }, 60_000)
})
