export type { BusListener, CacheBus } from './bus.js'
export { type Duration, toMilliseconds } from './duration.js'
export type { CacheEntry } from './entry.js'
export {
  ClosedError,
  DecodeError,
  InvalidKeyError,
  InvalidOptionError,
  SerializationError,
  StackError,
  type StackErrorCode,
  StoreUnavailableError,
  TimeoutError,
  UnsupportedError,
  ValueTooLargeError,
} from './errors.js'
export { isLocalTier, type LocalTier } from './local-tier.js'
export { nullStore } from './null-store.js'
export type { Serializer } from './serializer.js'
export {
  NO_EXPIRY,
  type RemoteStore,
  STORE_CONTRACT_VERSION,
  type StoreCapabilities,
  type StoreWrite,
} from './store.js'
export { type CompleteStore, completeStore, type OptionalStoreMethod } from './store-fallbacks.js'
