export type { CacheSource } from './cache-source.js'
export { type AsyncMethod, type CachedOptions, cached } from './cached.js'
export { type InvalidatesOptions, invalidates } from './invalidates.js'
export type { KeyOption, TagsOption, WrapOptions } from './options.js'
export {
  type WrappedFunction,
  type WrappedHelpers,
  type WrappedSyncFunction,
  wrap,
  wrapSync,
} from './wrap.js'
