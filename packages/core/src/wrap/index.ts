export type { CacheSource } from './cache-source.js'
export {
  type AsyncMethod,
  type CachedOptions,
  cached,
  type MethodCacheDecorator,
} from './cached.js'
export {
  type AsyncMethodName,
  type CachedMethodHelpers,
  cachedMethod,
} from './cached-method.js'
export type { WrappedHelpers } from './call-runner.js'
export type { FunctionStats } from './call-stats.js'
export { type InvalidatesOptions, invalidates } from './invalidates.js'
export type { KeyOption, TagsOption, TtlOption, WrapOptions } from './options.js'
export {
  type WrappedFunction,
  type WrappedSyncFunction,
  wrap,
  wrapSync,
} from './wrap.js'
