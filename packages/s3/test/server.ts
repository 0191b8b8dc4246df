import {
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3'
import type { RemoteStore } from '@stack/core'
import type { ObjectStoreHarness } from '@stack/test-servers/object-store-cases'
import { inject } from 'vitest'
import { s3Store } from '../src/index.js'
import type { S3StoreOptions } from '../src/options.js'
import { TEST_BUCKET } from './global-setup.js'

export { TEST_BUCKET }

/** Client options for the shared s3rver (credentials are s3rver's fixed pair). */
export function s3rverClientOptions(endpoint = inject('s3Endpoint')): S3ClientConfig {
  return {
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    // s3rver predates the SDK's default CRC checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  }
}

/** A raw client on the shared s3rver, for looking at what the store wrote. */
export function rawClient(): S3Client {
  return new S3Client(s3rverClientOptions())
}

/**
 * A store on the shared s3rver. s3rver ignores `If-None-Match: *`, so `add` is a
 * check-then-write here (`conditionalWrites: false`) unless a test says otherwise.
 */
export function testStore(options: Partial<S3StoreOptions> & { prefix: string }): RemoteStore {
  return s3Store({
    bucket: TEST_BUCKET,
    clientOptions: s3rverClientOptions(),
    conditionalWrites: false,
    ...options,
  })
}

/** Object keys under `prefix`, through `raw`. */
export async function listNames(raw: S3Client, prefix: string): Promise<string[]> {
  const names: string[] = []
  let token: string | undefined
  do {
    const page = await raw.send(
      new ListObjectsV2Command({ Bucket: TEST_BUCKET, Prefix: prefix, ContinuationToken: token }),
    )
    for (const object of page.Contents ?? []) if (object.Key) names.push(object.Key)
    token = page.NextContinuationToken
  } while (token !== undefined)
  return names
}

/** The shared object-store cases' view of s3rver, through the raw client `raw()`. */
export function s3Harness(raw: () => S3Client): ObjectStoreHarness {
  return {
    storeName: 's3',
    createStore: s3Store,
    backendBadOptions: () => [[{ bucket: 'b', client: rawClient(), clientOptions: {} }, 'client']],
    testStore,
    storeAt: (endpoint, timeout) =>
      s3Store({ bucket: TEST_BUCKET, clientOptions: s3rverClientOptions(endpoint), timeout }),
    listNames: (prefix) => listNames(raw(), prefix),
    async rawObject(name) {
      try {
        const head = await raw().send(new HeadObjectCommand({ Bucket: TEST_BUCKET, Key: name }))
        return { metadata: head.Metadata ?? {}, size: head.ContentLength ?? 0 }
      } catch {
        return undefined
      }
    },
    async putRaw(name, body, metadata = {}) {
      await raw().send(
        new PutObjectCommand({ Bucket: TEST_BUCKET, Key: name, Body: body, Metadata: metadata }),
      )
    },
  }
}
