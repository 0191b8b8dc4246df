export {
  ATTR_CACHE_NAME,
  ATTR_CIRCUIT_STATE,
  ATTR_ERROR_TYPE,
  ATTR_KEY,
  ATTR_LOAD_BACKGROUND,
  ATTR_LOAD_OUTCOME,
  ATTR_RESULT,
  ATTR_TIER,
  ATTR_TIER_OPERATION,
} from './attributes.js'
export type { StackOtelOptions } from './options.js'
export { INSTRUMENTATION_SCOPE, type StackOtel, stackOtel } from './stack-otel.js'
