/**
 * Argument paths, shared by key templates (`{0}`, `{id}`, `{1.address.city}`) and the
 * `exclude` option: the first segment is an argument index when it is a number, and a
 * property of the first argument otherwise; later segments are property names.
 */

const SEGMENT = /^(?:\d+|[A-Za-z_$][\w$]*)$/

/** A parsed argument path: which argument, then which properties inside it. */
export interface ArgumentPath {
  readonly argument: number
  readonly properties: readonly string[]
  /** The path as written, for error messages. */
  readonly text: string
}

/** Parses `text`, or returns `undefined` when it is not a valid path. */
export function parseArgumentPath(text: string): ArgumentPath | undefined {
  const segments = text.split('.')
  if (!segments.every((segment) => SEGMENT.test(segment))) return undefined
  const first = segments[0] as string
  if (/^\d/.test(first)) {
    return { argument: Number(first), properties: segments.slice(1), text }
  }
  return { argument: 0, properties: segments, text }
}

/** Formats a location inside the arguments for error messages, e.g. `args[0].user.tags[2]`. */
export function describeLocation(argument: number, properties: readonly string[]): string {
  return `args[${argument}]` + properties.map(propertySegment).join('')
}

/** One property step of a location: `.name`, `[2]` or `["odd key"]`. */
export function propertySegment(property: string): string {
  if (/^\d+$/.test(property)) return `[${property}]`
  if (/^[A-Za-z_$][\w$]*$/.test(property)) return `.${property}`
  return `[${JSON.stringify(property)}]`
}
