/**
 * Google Cloud Storage store for `@stack/core`.
 *
 * @packageDocumentation
 */
export type { CompressionOption } from '@stack/core/store-kit'
export { gcsStore } from './gcs-store.js'
export type { GcsStoreOptions } from './options.js'
