import { InvalidKeyError, InvalidOptionError } from '../errors.js'

/** The parts of a TC39 method decorator context the decorators use. */
export interface MethodContext {
  readonly kind: string
  readonly name: string | symbol
  readonly static: boolean
  readonly private: boolean
}

/** Throws unless the decorator was applied to a method; returns the method's display name. */
export function methodName(context: MethodContext, decorator: string): string {
  if (context?.kind !== 'method') {
    throw new InvalidOptionError(
      decorator,
      `@${decorator} decorates methods only, not a ${context?.kind ?? 'value'}`,
    )
  }
  return typeof context.name === 'symbol' ? `[${context.name.description}]` : context.name
}

/**
 * `Class.method`, naming the class that declares `replacement`: found on the receiver's
 * prototype chain, so calls through a subclass instance share the declaring class' keys.
 */
export function declaringName(self: unknown, replacement: unknown, context: MethodContext): string {
  const method = methodName(context, 'cached')
  if (self === null || (typeof self !== 'object' && typeof self !== 'function')) {
    throw new InvalidKeyError(
      `cannot build the default key of ${method}: it was called without an instance ` +
        '(bind the method, or give @cached a name or a key)',
    )
  }
  const owner = declaringClass(self, replacement, context)
  const className = (owner as { name?: unknown }).name
  if (typeof className !== 'string' || className === '') {
    throw new InvalidKeyError(
      `cannot build the default key of ${method}: its class has no name (give @cached a name or a key)`,
    )
  }
  return `${className}.${method}`
}

function declaringClass(self: object, replacement: unknown, context: MethodContext): object {
  let fallback: object | undefined
  let holder: object | null = context.static ? self : Object.getPrototypeOf(self)
  while (holder !== null) {
    if (Object.hasOwn(holder, context.name)) {
      const owner = context.static ? holder : (holder as { constructor: object }).constructor
      if ((holder as Record<string | symbol, unknown>)[context.name] === replacement) return owner
      fallback ??= owner
    }
    holder = Object.getPrototypeOf(holder)
  }
  return fallback ?? (context.static ? self : (self as { constructor: object }).constructor)
}
