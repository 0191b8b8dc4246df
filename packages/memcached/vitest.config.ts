import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'memcached',
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
