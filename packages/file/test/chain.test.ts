import { testChainAcrossRestart } from '@stack/test-servers/chain-case'
import { removeDir, tempDir } from '@stack/test-servers/process'
import { afterAll } from 'vitest'
import { fileStore } from '../src/index.js'

const directory = tempDir('file-chain')
afterAll(() => removeDir(directory))

// Each tier is a new store on the same directory: the entry comes back from disk.
testChainAcrossRestart(() => fileStore({ directory }))
