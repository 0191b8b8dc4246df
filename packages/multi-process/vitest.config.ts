import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'multi-process',
    globalSetup: ['./test/global-setup.ts'],
    // The files measure latencies across child processes on a 2-core machine: run them one
    // at a time, and after the other packages' tests (groupOrder), so that they do not
    // compete for the CPU with each other.
    fileParallelism: false,
    sequence: { groupOrder: 1 },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
