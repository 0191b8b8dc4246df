import { Storage, type StorageOptions } from '@google-cloud/storage'
import type { RemoteStore } from '@stack/core'
import { inject } from 'vitest'
import { gcsStore } from '../src/index.js'
import type { GcsStoreOptions } from '../src/options.js'

/** The emulator creates buckets on first use; every test file works under its own prefix. */
export const TEST_BUCKET = 'stack-test'

/** Options pointing `@google-cloud/storage` at the shared emulator (no credentials needed). */
export function emulatorOptions(apiEndpoint = inject('gcsEndpoint')): StorageOptions {
  return { apiEndpoint, projectId: inject('gcsProjectId') }
}

/** A raw client on the emulator, for looking at what the store wrote. */
export function rawStorage(): Storage {
  return new Storage(emulatorOptions())
}

/**
 * A store on the shared emulator. The emulator ignores `ifGenerationMatch`, so `add` is a
 * check-then-write here (`conditionalWrites: false`) unless a test says otherwise.
 */
export function testStore(options: Partial<GcsStoreOptions> & { prefix: string }): RemoteStore {
  return gcsStore({
    bucket: TEST_BUCKET,
    storageOptions: emulatorOptions(),
    conditionalWrites: false,
    ...options,
  })
}
