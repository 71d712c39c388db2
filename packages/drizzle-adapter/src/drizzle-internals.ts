import * as drizzle from 'drizzle-orm'
import { Column, is, type SQL, type Table } from 'drizzle-orm'

/**
 * Drizzle has no write hooks, so the adapter reads a few members that Drizzle marks
 * internal. They are all here, and `drizzle-internals.test.ts` fails loudly when a Drizzle
 * release changes one of them.
 */

/** A field of a selection as Drizzle orders it (`orderSelectedFields`). */
export interface OrderedField {
  readonly path: string[]
  readonly field: unknown
}

/** What an insert, update or delete builder holds (`builder.config`). */
export interface WriteConfig {
  table: Table
  /** UPDATE: values by property key (Param or SQL). */
  set?: Record<string, unknown>
  where?: SQL
  /** INSERT: rows by property key, or a select (with `select: true`). */
  values?: Record<string, unknown>[] | unknown
  select?: boolean
  /** PostgreSQL/SQLite `on conflict …`, MySQL `on duplicate key update …`. */
  onConflict?: SQL
  /** MySQL `insert ignore`. */
  ignore?: boolean
  returning?: OrderedField[]
  withList?: unknown[]
  from?: unknown
  joins?: unknown[]
  orderBy?: unknown[]
  limit?: unknown
}

export function writeConfig(builder: object): WriteConfig {
  return (builder as { config: WriteConfig }).config
}

/** The driver client a Drizzle db or transaction runs on (its session's `client`). */
export function sessionClient(db: object): unknown {
  return (db as { session: { client: unknown } }).session.client
}

/** Drizzle's per-dialect SQL builder (`db.dialect`). */
export interface DrizzleDialect {
  sqlToQuery(sql: SQL): { sql: string; params: unknown[] }
  buildInsertQuery(config: WriteConfig): SQL | { sql: SQL }
  buildUpdateQuery(config: WriteConfig): SQL
  buildDeleteQuery(config: WriteConfig): SQL
  readonly casing?: { getColumnCasing(column: Column): string }
}

export function dialectOf(db: object): DrizzleDialect {
  return (db as { dialect: DrizzleDialect }).dialect
}

/** The column's name in SQL, as the db's `casing` option spells it. */
export function columnName(dialect: DrizzleDialect, column: Column): string {
  return dialect.casing?.getColumnCasing(column) ?? column.name
}

/** A column's runtime defaults (`$defaultFn`, `$onUpdateFn`), which Drizzle runs at build time. */
export function columnDefaults(column: Column): {
  readonly defaultFn?: () => unknown
  readonly onUpdateFn?: () => unknown
  readonly hasDefault: boolean
} {
  const c = column as unknown as {
    defaultFn?: () => unknown
    onUpdateFn?: () => unknown
    default?: unknown
  }
  return {
    ...(c.defaultFn && { defaultFn: c.defaultFn }),
    ...(c.onUpdateFn && { onUpdateFn: c.onUpdateFn }),
    hasDefault: c.default !== undefined && c.default !== null,
  }
}

export function isColumn(value: unknown): value is Column {
  return is(value, Column)
}

/** The table's own SQL name, and whether `table` is an alias of it (`alias(users, 'u')`). */
export function tableIdentity(table: Table): { readonly name: string; readonly alias: boolean } {
  const record = table as unknown as Record<symbol, unknown>
  return {
    name: String(record[Symbol.for('drizzle:BaseName')]),
    alias: record[Symbol.for('drizzle:IsAlias')] === true,
  }
}

/** The schema a table was declared in (`pgSchema('app').table(…)`), if any. */
export function tableSchema(table: Table): string | undefined {
  return (table as unknown as Record<symbol, string | undefined>)[Symbol.for('drizzle:Schema')]
}

/**
 * Drizzle's own row mapper (`mapResultRow`, exported at runtime, untyped): decodes each
 * returned value with its column, as Drizzle's drivers do for `.returning()`.
 */
export const mapResultRow = (
  drizzle as unknown as {
    mapResultRow(fields: readonly OrderedField[], row: unknown[]): Record<string, unknown>
  }
).mapResultRow
