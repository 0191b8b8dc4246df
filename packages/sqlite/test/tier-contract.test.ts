import { join } from 'node:path'
import { removeDir, tempDir } from '@stack/test-servers/process'
import { afterAll } from 'vitest'
import { describeLocalTierContract } from '../../core/test/memory/local-tier-contract.js'
import { sqliteTier } from '../src/index.js'

const directory = tempDir('sqlite-tier-contract')
afterAll(() => removeDir(directory))
let files = 0

// The same tests as memory() (packages/core/test/memory/contract.test.ts), each on a
// fresh database file.
describeLocalTierContract(
  'sqliteTier()',
  (options) => sqliteTier({ path: join(directory, `${files++}.db`), ...options }),
  { defaultName: 'sqlite' },
)
