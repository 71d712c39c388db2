import type { NewEntry } from '../entry/audit-entry.js'
import { ChronicleError } from '../errors/chronicle-error.js'
import type { SqlDialect } from './dialect.js'

/** Audit table text columns whose length a database bounds. */
export type LimitedColumn =
  | 'table_name'
  | 'entity_id'
  | 'actor_id'
  | 'actor_type'
  | 'ip_address'
  | 'user_agent'

/** The longest value a column stores: in characters (VARCHAR) or UTF-8 bytes (TEXT, index entries). */
export interface TextLimit {
  readonly max: number
  readonly unit: 'chars' | 'bytes'
}

function length(value: string, unit: TextLimit['unit']): number {
  return unit === 'bytes' ? Buffer.byteLength(value, 'utf8') : [...value].length
}

/**
 * Refuses a value `column` cannot store with VALUE_TOO_LONG, instead of letting the
 * database fail the write with its own error (or, in lax SQL modes, truncate it).
 */
export function assertFits(
  dialect: SqlDialect,
  column: LimitedColumn,
  value: string | null | undefined,
  details: { readonly table?: string } = {},
): void {
  const limit = dialect.textLimits[column]
  if (!limit || typeof value !== 'string') return
  // A UTF-16 unit is at most 3 UTF-8 bytes and at least part of one character.
  if (value.length * (limit.unit === 'bytes' ? 3 : 1) <= limit.max) return
  const actual = length(value, limit.unit)
  if (actual <= limit.max) return
  throw new ChronicleError(
    'VALUE_TOO_LONG',
    `${column} is ${actual} ${limit.unit === 'bytes' ? 'bytes (UTF-8)' : 'characters'} long; the ${dialect.name} audit table stores at most ${limit.max}`,
    details,
  )
}

/** Checks every bounded column of an entry before it is written. */
export function assertEntryFits(dialect: SqlDialect, entry: NewEntry): void {
  const table = entry.tableName ?? undefined
  const details = table === undefined ? {} : { table }
  assertFits(dialect, 'table_name', entry.tableName, details)
  assertFits(dialect, 'entity_id', entry.entityId, details)
  assertFits(dialect, 'actor_id', entry.actorId, details)
  assertFits(dialect, 'actor_type', entry.actorType, details)
  assertFits(dialect, 'ip_address', entry.ipAddress, details)
  assertFits(dialect, 'user_agent', entry.userAgent, details)
}
