export { MemoryBusHub } from './bus/memory-bus.js'
export type { BusListener, CacheBus } from './bus.js'
export { Cache, createCache, type SetManyItem } from './cache/cache.js'
export type { CacheControls } from './cache/cache-controls.js'
export type { CacheLogger } from './cache/logging.js'
export type {
  CacheOptions,
  DistributedLockOptions,
  FreshnessOptions,
  GetOptions,
  GetOrSetOptions,
  LoaderContext,
  SetOptions,
  Tier,
  TierSelection,
  TierSettings,
  WriteBehindOptions,
} from './cache/options.js'
export type { EntryInfo } from './cache/read-calls.js'
export type { RecoveryEvent, RecoveryStats } from './cache/recovery.js'
export type {
  ReaderOptions,
  ScheduledReader,
  ScheduledRefresh,
  ScheduleOptions,
} from './cache/schedule.js'
export { type Duration, toMilliseconds } from './duration.js'
export type { CacheEntry } from './entry.js'
export {
  DEFAULT_MAX_VALUE_BYTES,
  ENVELOPE_VERSION,
  EnvelopeCodec,
  type EnvelopeCodecOptions,
} from './envelope.js'
export {
  ClosedError,
  DecodeError,
  InvalidKeyError,
  InvalidOptionError,
  InvalidValueError,
  SerializationError,
  StackError,
  type StackErrorCode,
  StoreUnavailableError,
  TimeoutError,
  UnsupportedError,
  ValueTooLargeError,
} from './errors.js'
export type { CacheEvents } from './events.js'
export { isLocalTier, type LocalTier } from './local-tier.js'
export {
  type EvictionPolicyName,
  type EvictionReason,
  type EvictListener,
  estimateSize,
  type MemoryOptions,
  type MemoryStats,
  type MemoryStoreOptions,
  MemoryTier,
  memory,
  memoryStore,
} from './memory/index.js'
export { nullStore } from './null-store.js'
export * from './resilience/index.js'
export type { Serializer } from './serializer.js'
export { jsonSerializer } from './serializers/json.js'
export { structuredSerializer } from './serializers/structured.js'
export type { CacheStats, TierStats } from './stats.js'
export {
  NO_EXPIRY,
  type RemoteStore,
  STORE_CONTRACT_VERSION,
  type StoreCapabilities,
  type StoreStats,
  type StoreWarning,
  type StoreWrite,
} from './store.js'
export { type CompleteStore, completeStore, type OptionalStoreMethod } from './store-fallbacks.js'
export {
  type LoadTraceContext,
  type TierTraceContext,
  TRACING_CHANNELS,
} from './tracing.js'
export {
  type AsyncMethod,
  type AsyncMethodName,
  type CachedMethodHelpers,
  type CachedOptions,
  type CacheSource,
  cached,
  cachedMethod,
  type FunctionStats,
  type InvalidatesOptions,
  invalidates,
  type KeyOption,
  type MethodCacheDecorator,
  type TagsOption,
  type TtlOption,
  type WrapOptions,
  type WrappedFunction,
  type WrappedHelpers,
  type WrappedSyncFunction,
  wrap,
  wrapSync,
} from './wrap/index.js'
