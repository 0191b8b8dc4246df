/**
 * Amazon S3 (and S3-compatible) store for `@stack/core`.
 *
 * @packageDocumentation
 */
export type { CompressionOption } from '@stack/core/store-kit'
export type { S3StoreOptions } from './options.js'
export { s3Store } from './s3-store.js'
