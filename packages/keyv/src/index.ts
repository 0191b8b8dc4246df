export { StackKeyvAdapter, type StackKeyvAdapterOptions, stackKeyvAdapter } from './keyv-adapter.js'
export { KeyvStore, keyvStore } from './keyv-store.js'
export type { KeyvStoreOptions } from './options.js'
