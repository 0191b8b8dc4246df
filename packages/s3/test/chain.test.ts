import { testChainAcrossRestart } from '@stack/test-servers/chain-case'
import { testStore } from './server.js'

testChainAcrossRestart(() => testStore({ prefix: 'chain/' }))
