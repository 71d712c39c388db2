import type { ResolvedTable } from '../config/options.js'
import { ChronicleError } from '../errors/chronicle-error.js'
import type { SqlConnection } from './connection.js'
import type { ColumnInfo, SqlDialect } from './dialect.js'

/** A configured table joined with what the database says about it today. */
export interface TableMeta extends ResolvedTable {
  readonly columns: ReadonlyMap<string, ColumnInfo>
  /** Primary key first, then every other unique index (without partial indexes). */
  readonly uniqueKeys: readonly (readonly string[])[]
}

export async function readColumns(
  connection: SqlConnection,
  dialect: SqlDialect,
  table: string,
): Promise<Map<string, ColumnInfo>> {
  const { sql, params } = dialect.columnsQuery(table)
  const { rows } = await connection.query<{ name: string; type: string; generated: unknown }>(
    sql,
    params,
  )
  return new Map(
    rows.map((r) => [
      r.name,
      { name: r.name, type: r.type, generated: r.generated === true || Number(r.generated) === 1 },
    ]),
  )
}

/** Introspects a configured table; fails with UNKNOWN_TABLE / MISSING_PRIMARY_KEY. */
export async function loadTableMeta(
  connection: SqlConnection,
  dialect: SqlDialect,
  table: ResolvedTable,
): Promise<TableMeta> {
  const columns = await readColumns(connection, dialect, table.name)
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
  const unique = await connection.query<{ index_name: string; column_name: string }>(
    dialect.uniqueKeysQuery(table.name).sql,
    dialect.uniqueKeysQuery(table.name).params,
  )
  const byIndex = new Map<string, string[]>()
  for (const row of unique.rows) {
    const list = byIndex.get(row.index_name) ?? []
    list.push(row.column_name)
    byIndex.set(row.index_name, list)
  }
  const pk = table.primaryKey.join('\0')
  const others = [...byIndex.values()].filter((cols) => cols.join('\0') !== pk)
  return Object.freeze({ ...table, columns, uniqueKeys: [table.primaryKey, ...others] })
}
