import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'keyv',
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 15_000,
    hookTimeout: 60_000,
  },
})
