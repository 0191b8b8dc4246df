import { join } from 'node:path'
import { testChainAcrossRestart } from '@stack/test-servers/chain-case'
import { removeDir, tempDir } from '@stack/test-servers/process'
import { afterAll } from 'vitest'
import { sqliteStore } from '../src/index.js'

const directory = tempDir('sqlite-chain')
const path = join(directory, 'cache.db')
afterAll(() => removeDir(directory))

// Each tier is a new store on the same file: the entry comes back from the database.
testChainAcrossRestart(() => sqliteStore({ path }))
