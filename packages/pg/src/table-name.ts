import { createHash } from 'node:crypto'
import { InvalidOptionError } from '@stack/core'

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/
const MAX_IDENTIFIER = 63

/** A validated `[schema.]table`, ready for postgres.js' `sql(identifier)` escaping. */
export interface TableName {
  /** `schema.table` or `table`; `sql(qualified)` quotes each part. */
  readonly qualified: string
  /** The expiry index' name (in the table's schema), at most 63 characters. */
  readonly index: string
  /** The table's quoted name, for `to_regclass`. */
  readonly tableRegclass: string
  /** The index' quoted name, for `to_regclass`. */
  readonly indexRegclass: string
}

/**
 * Validates `value` as `table` or `schema.table`, each part a plain identifier of at
 * most 63 characters, and derives the expiry index' name. Names are case-sensitive:
 * they are always quoted.
 *
 * @throws InvalidOptionError naming `option` for anything else.
 */
export function parseTableName(value: unknown, option: string): TableName {
  const parts = typeof value === 'string' ? value.split('.') : []
  if (parts.length < 1 || parts.length > 2 || !parts.every((part) => IDENTIFIER.test(part))) {
    throw new InvalidOptionError(
      option,
      `${option} must be "table" or "schema.table", each part matching ${IDENTIFIER}, got ${JSON.stringify(value)}`,
    )
  }
  const table = parts.at(-1) as string
  const schema = parts.length === 2 ? parts[0] : undefined
  const index = indexName(value as string, table)
  const quote = (name: string) => (schema === undefined ? `"${name}"` : `"${schema}"."${name}"`)
  return {
    qualified: value as string,
    index,
    tableRegclass: quote(table),
    indexRegclass: quote(index),
  }
}

function indexName(qualified: string, table: string): string {
  const suffix = '_expires_at_idx'
  if (table.length + suffix.length <= MAX_IDENTIFIER) return table + suffix
  const hash = createHash('sha256').update(qualified).digest('hex').slice(0, 8)
  return `${table.slice(0, MAX_IDENTIFIER - suffix.length - 9)}_${hash}${suffix}`
}
