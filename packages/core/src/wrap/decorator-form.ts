import { InvalidKeyError, InvalidOptionError } from '../errors.js'
import { declaringName, type MethodContext, methodName } from './method-context.js'

/** A method being decorated, described the same way in both decorator forms. */
export interface DecoratedMethod {
  /** `method`, `[symbol]` or `#private`, for messages. */
  readonly display: string
  readonly private: boolean
  /** `Class.method` for the default key, where `Class` declares the method. */
  defaultName(self: unknown, replacement: unknown): string
}

type AnyMethod = (this: unknown, ...args: never[]) => unknown

/**
 * Applies a method decorator in whichever form it was called: standard (TC39, the
 * TypeScript 5 default: `(method, context)`) or legacy (`experimentalDecorators: true`,
 * as in NestJS projects: `(prototype or class, name, descriptor)`). `replace` gets the
 * method and returns its replacement.
 */
export function decorateMethod(
  decorator: string,
  args: readonly unknown[],
  replace: (method: AnyMethod, info: DecoratedMethod) => AnyMethod,
): unknown {
  const [first, second, third] = args
  if (isStandardContext(second)) {
    const context = second as MethodContext
    const display = methodName(context, decorator)
    return replace(first as AnyMethod, {
      display,
      private: context.private,
      defaultName: (self, replacement) => declaringName(self, replacement, context),
    })
  }
  if (args.length >= 2 && (typeof second === 'string' || typeof second === 'symbol')) {
    return decorateLegacy(decorator, first, second, third, replace)
  }
  throw new InvalidOptionError(
    decorator,
    `@${decorator} was applied in an unknown way: expected a standard decorator call ` +
      '(method, context) or, with experimentalDecorators: true, (target, name, descriptor). ' +
      'Check your compiler’s decorator settings',
  )
}

function decorateLegacy(
  decorator: string,
  target: unknown,
  name: string | symbol,
  descriptor: unknown,
  replace: (method: AnyMethod, info: DecoratedMethod) => AnyMethod,
): PropertyDescriptor {
  const display = typeof name === 'symbol' ? `[${name.description}]` : name
  const method = (descriptor as PropertyDescriptor | undefined)?.value
  if (typeof method !== 'function') {
    const what = descriptor === undefined ? 'property' : 'accessor or non-method member'
    throw new InvalidOptionError(
      decorator,
      `@${decorator} decorates methods only, not the ${what} ${display} ` +
        '(legacy decorator call: experimentalDecorators is true)',
    )
  }
  const owner = (typeof target === 'function' ? target : target?.constructor) as {
    readonly name?: unknown
  }
  const replacement = replace(method as AnyMethod, {
    display,
    private: false,
    defaultName: () => {
      const className = owner?.name
      if (typeof className !== 'string' || className === '') {
        throw new InvalidKeyError(
          `cannot build the default key of ${display}: its class has no name (give @cached a name or a key)`,
        )
      }
      return `${className}.${display}`
    },
  })
  return { ...(descriptor as PropertyDescriptor), value: replacement }
}

function isStandardContext(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { kind?: unknown }).kind === 'string' &&
    'name' in value
  )
}

/**
 * Throws when a decorator factory received what a decorator receives, i.e. it was
 * written `@cached` instead of `@cached(cache)`: its options are then a standard
 * decorator context, or a member name (legacy).
 */
export function assertFactoryCall(decorator: string, options: unknown): void {
  if (isStandardContext(options) || typeof options === 'string' || typeof options === 'symbol') {
    throw new InvalidOptionError(
      'cache',
      `@${decorator} must be called with a cache: write @${decorator}(cache, options), not @${decorator}`,
    )
  }
}
