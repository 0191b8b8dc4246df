export {
  isMemjsClient,
  type MemcachedConnection,
  type MemjsClient,
  type MemjsResponse,
  type MemjsServer,
} from './client.js'
export { type MemcachedStore, memcachedStore } from './memcached-store.js'
export type { MemcachedStoreOptions } from './options.js'
