import { Storage, type StorageOptions } from '@google-cloud/storage'
import type { RemoteStore } from '@stack/core'
import type { ObjectStoreHarness } from '@stack/test-servers/object-store-cases'
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

/** Object names under `prefix`, through `raw`. */
export async function listNames(raw: Storage, prefix: string): Promise<string[]> {
  const [files] = await raw.bucket(TEST_BUCKET).getFiles({ prefix })
  return files.map((file) => file.name)
}

/** An object's metadata resource, or `undefined` when there is no such object. */
export async function metadataOf(raw: Storage, name: string) {
  try {
    const [metadata] = await raw.bucket(TEST_BUCKET).file(name).getMetadata()
    return metadata
  } catch {
    return undefined
  }
}

/** The shared object-store cases' view of the emulator, through the raw client `raw()`. */
export function gcsHarness(raw: () => Storage): ObjectStoreHarness {
  return {
    storeName: 'gcs',
    createStore: gcsStore,
    backendBadOptions: () => [
      [{ bucket: 'b', storage: rawStorage(), storageOptions: {} }, 'storage'],
    ],
    testStore,
    storeAt: (endpoint, timeout) =>
      gcsStore({
        bucket: TEST_BUCKET,
        // Without retries the first refusal is the answer (and the cause kept).
        storageOptions: { ...emulatorOptions(endpoint), retryOptions: { autoRetry: false } },
        timeout,
      }),
    listNames: (prefix) => listNames(raw(), prefix),
    async rawObject(name) {
      const metadata = await metadataOf(raw(), name)
      if (metadata === undefined) return undefined
      const fields: Record<string, string> = {}
      for (const [field, value] of Object.entries(metadata.metadata ?? {})) {
        if (typeof value === 'string') fields[field] = value
      }
      return { metadata: fields, size: Number(metadata.size) }
    },
    async putRaw(name, body, metadata = {}) {
      await raw()
        .bucket(TEST_BUCKET)
        .file(name)
        .save(body, { resumable: false, metadata: { metadata } })
    },
  }
}
