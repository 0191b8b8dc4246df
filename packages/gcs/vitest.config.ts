import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'gcs',
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
})
