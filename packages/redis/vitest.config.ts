import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'redis',
    globalSetup: ['./test/global-setup.ts'],
    setupFiles: ['./test/bytes-equality.ts'],
    testTimeout: 15_000,
    hookTimeout: 60_000,
  },
})
