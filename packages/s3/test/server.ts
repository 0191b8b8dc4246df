import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3'
import type { RemoteStore } from '@stack/core'
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
