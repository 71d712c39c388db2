import type { ResolvedTable } from '../config/options.js'
import { ChronicleError } from '../errors/chronicle-error.js'
import type { SqlConnection } from './connection.js'
import type { ColumnInfo, SqlDialect } from './dialect.js'
import { query, runAsync, type Steps } from './steps.js'

/** A configured table joined with what the database says about it today. */
export interface TableMeta extends ResolvedTable {
  readonly columns: ReadonlyMap<string, ColumnInfo>
  /** Primary key first, then every other unique index (without partial indexes). */
  readonly uniqueKeys: readonly (readonly string[])[]
}

export function* readColumnsSteps(
  dialect: SqlDialect,
  table: string,
): Steps<Map<string, ColumnInfo>> {
  const { sql, params } = dialect.columnsQuery(table)
  const { rows } = yield* query<{
    name: string
    type: string
    generated: unknown
    computed: unknown
  }>(sql, params)
  const flag = (value: unknown) => value === true || Number(value) === 1
  return new Map(
    rows.map((r) => [
      r.name,
      { name: r.name, type: r.type, generated: flag(r.generated), computed: flag(r.computed) },
    ]),
  )
}

/**
 * Introspects a configured table; fails with UNKNOWN_TABLE, or MISSING_PRIMARY_KEY when the
 * configured key is missing or is not exactly the primary key or a unique index.
 */
export function* loadTableMetaSteps(dialect: SqlDialect, table: ResolvedTable): Steps<TableMeta> {
  const columns = yield* readColumnsSteps(dialect, table.name)
  if (columns.size === 0) {
    throw new ChronicleError(
      'UNKNOWN_TABLE',
      `table "${table.name}" is configured for auditing but does not exist in the database`,
      { table: table.name },
    )
  }
  const missing = table.primaryKey.filter((c) => !columns.has(c))
  if (missing.length > 0) {
    throw new ChronicleError(
      'MISSING_PRIMARY_KEY',
      `table "${table.name}" has no column ${missing.map((c) => `"${c}"`).join(', ')}: set tables.${table.name}.primaryKey to its primary key`,
      { table: table.name },
    )
  }
  const { sql, params } = dialect.uniqueKeysQuery(table.name)
  const unique = yield* query<{ index_name: string; column_name: unknown }>(sql, params)
  const byIndex = new Map<string, unknown[]>()
  for (const row of unique.rows) {
    const list = byIndex.get(row.index_name) ?? []
    list.push(row.column_name)
    byIndex.set(row.index_name, list)
  }
  // An index on an expression has no column name for it: it keys no set of columns.
  const indexes = [...byIndex.values()].filter((cols): cols is string[] =>
    cols.every((c) => typeof c === 'string' && c !== ''),
  )
  const same = (cols: readonly string[]) =>
    cols.length === table.primaryKey.length && table.primaryKey.every((c) => cols.includes(c))
  if (!indexes.some(same)) {
    const key = table.primaryKey.map((c) => `"${c}"`).join(', ')
    throw new ChronicleError(
      'MISSING_PRIMARY_KEY',
      `${key} of table "${table.name}" is not its primary key or a unique index, so one key could name several rows: set tables.${table.name}.primaryKey to the primary key's columns, or add a unique index on exactly ${key}`,
      { table: table.name },
    )
  }
  const others = indexes.filter((cols) => !same(cols))
  return Object.freeze({ ...table, columns, uniqueKeys: [table.primaryKey, ...others] })
}

export function readColumns(
  connection: SqlConnection,
  dialect: SqlDialect,
  table: string,
): Promise<Map<string, ColumnInfo>> {
  return runAsync(readColumnsSteps(dialect, table), connection)
}

export function loadTableMeta(
  connection: SqlConnection,
  dialect: SqlDialect,
  table: ResolvedTable,
): Promise<TableMeta> {
  return runAsync(loadTableMetaSteps(dialect, table), connection)
}
