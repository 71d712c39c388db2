import { ChronicleError } from '../errors/chronicle-error.js'
import type { SqlDialect } from '../store/dialect.js'
import { selectEntries } from '../store/entry-store.js'
import type { SqlBuilder } from '../store/sql-builder.js'

/** Which entries: every field is optional, all given fields must match. */
export interface EntryFilter {
  /** An audited table. */
  readonly table?: string
  /** An event's `targetType` (stored where a row change stores its table). */
  readonly targetType?: string
  readonly entityId?: string | number
  readonly actorId?: string
  /**
   * `'UPDATE'` matches exactly; `'billing'` or `'billing.*'` matches `billing` and every
   * `billing.…` event (dot-separated segments, so `bill` does not match `billing`).
   */
  readonly action?: string
  readonly transactionId?: string
  readonly since?: Date | string
  readonly until?: Date | string
}

/** Filters for {@link Chronicle.logs}: an {@link EntryFilter} plus paging. */
export interface LogsFilter extends EntryFilter {
  /** @default 50 (at most 1000) */
  readonly limit?: number
  /** `nextCursor` of the previous page. */
  readonly cursor?: string | null
}

export const FILTER_KEYS: ReadonlySet<string> = new Set([
  'table',
  'targetType',
  'entityId',
  'actorId',
  'action',
  'transactionId',
  'since',
  'until',
])

const invalid = (message: string) => new ChronicleError('INVALID_FILTER', message)

/** Accepts a Date or an ISO-8601 string; anything else is a typed error, never a guess. */
export function parseTime(value: unknown, name: string): Date {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : null
  if (date === null || Number.isNaN(date.getTime())) {
    throw invalid(`${name} must be a Date or an ISO-8601 string, got ${JSON.stringify(value)}`)
  }
  return date
}

export function parseLimit(value: unknown, fallback: number, max = 1000): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw invalid(`limit must be an integer from 1 to ${max}, got ${JSON.stringify(value)}`)
  }
  return value
}

export const encodeCursor = (id: number) => Buffer.from(`id:${id}`).toString('base64url')

function decodeCursor(cursor: string): number {
  const match = /^id:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'))
  if (!match) throw invalid(`cursor ${JSON.stringify(cursor)} is not a cursor this API returned`)
  return Number(match[1])
}

function optionalText(filter: EntryFilter, key: keyof EntryFilter): string | undefined {
  const value = filter[key]
  if (value === undefined) return undefined
  if (key === 'entityId' && typeof value === 'number') return String(value)
  if (typeof value !== 'string' || value.length === 0) {
    throw invalid(`${key} must be a non-empty string, got ${JSON.stringify(value)}`)
  }
  return value
}

/** Appends ` AND …` for each field of an entry filter; unknown or malformed fields fail. */
export function appendFilter(
  sql: SqlBuilder,
  filter: EntryFilter,
  allowed: ReadonlySet<string> = FILTER_KEYS,
): void {
  if (filter === null || typeof filter !== 'object') throw invalid('filter must be an object')
  for (const key of Object.keys(filter)) {
    if (!allowed.has(key)) throw invalid(`unknown filter "${key}"`)
  }
  const { dialect } = sql
  const q = dialect.quote
  const equal: [keyof EntryFilter, string][] = [
    ['table', 'table_name'],
    ['targetType', 'table_name'],
    ['entityId', 'entity_id'],
    ['actorId', 'actor_id'],
    ['transactionId', 'transaction_id'],
  ]
  for (const [key, column] of equal) {
    const value = optionalText(filter, key)
    if (value !== undefined) sql.raw(` AND ${q(column)} = `).value(value)
  }
  const action = optionalText(filter, 'action')
  if (action !== undefined) {
    if (!/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*(\.\*)?$/.test(action)) {
      throw invalid(
        `action ${JSON.stringify(action)} must be a name like UPDATE, billing or billing.*`,
      )
    }
    const exact = action.replace(/\.\*$/, '')
    sql
      .raw(` AND (${q('action')} = `)
      .value(exact)
      .raw(' OR ')
    dialect.prefixMatch(sql, q('action'), `${exact}.`)
    sql.raw(')')
  }
  if (filter.since !== undefined) {
    sql
      .raw(` AND ${q('created_at')} >= `)
      .value(dialect.writeTimestamp(parseTime(filter.since, 'since')))
  }
  if (filter.until !== undefined) {
    sql
      .raw(` AND ${q('created_at')} <= `)
      .value(dialect.writeTimestamp(parseTime(filter.until, 'until')))
  }
}

/** Builds the page query for a filter (newest first); limit + 1 rows tell if more exist. */
export function logsQuery(dialect: SqlDialect, auditTable: string, filter: LogsFilter = {}) {
  const { limit: rawLimit, cursor, ...rest } = filter ?? {}
  const limit = parseLimit(rawLimit, 50)
  const q = dialect.quote
  const sql = selectEntries(dialect, auditTable).raw(' WHERE 1 = 1')
  appendFilter(sql, rest)
  if (cursor !== undefined && cursor !== null) {
    if (typeof cursor !== 'string') throw invalid('cursor must be a string')
    sql.raw(` AND ${q('id')} < `).value(decodeCursor(cursor))
  }
  sql.raw(` ORDER BY ${q('id')} DESC LIMIT ${limit + 1}`)
  return { statement: sql.build(), limit }
}
