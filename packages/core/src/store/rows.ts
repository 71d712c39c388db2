import { encodeEntityId } from '../entry/codec.js'
import { type ExactRead, exactAlias, withExactTexts } from '../entry/exact-values.js'
import { ChronicleError } from '../errors/chronicle-error.js'
import type { SqlConnection } from './connection.js'
import type { SqlDialect } from './dialect.js'
import { SqlBuilder } from './sql-builder.js'
import { query, runAsync, type Steps } from './steps.js'
import type { TableMeta } from './table-meta.js'

export type Row = Record<string, unknown>

/**
 * The entity id of a row: its primary key as text. A key column without a value (SQLite
 * allows NULL in a non-INTEGER primary key) is MISSING_PRIMARY_KEY: such a row has no
 * identity, and its entries would all be filed under "null".
 */
export function rowEntityId(meta: Pick<TableMeta, 'name' | 'primaryKey'>, row: Row): string {
  const values = meta.primaryKey.map((c) => row[c])
  const empty = meta.primaryKey.filter((_, i) => values[i] === null || values[i] === undefined)
  if (empty.length > 0) {
    throw new ChronicleError(
      'MISSING_PRIMARY_KEY',
      `a row of table "${meta.name}" has no value in key column ${empty.map((c) => `"${c}"`).join(', ')}: give every audited row a key (declare the column NOT NULL)`,
      { table: meta.name },
    )
  }
  return encodeEntityId(values)
}

/**
 * Reads the rows whose `columns` equal one of `tuples`, in as few statements as the bind
 * limit allows (never one per row). `lock` takes row locks for the rest of the transaction.
 * With `exact`, those columns are also read as the database's text, for snapshots.
 */
export function* readRowsByKeysSteps(
  dialect: SqlDialect,
  table: string,
  columns: readonly string[],
  tuples: readonly (readonly unknown[])[],
  lock = false,
  exact: readonly ExactRead[] = [],
): Steps<Row[]> {
  if (tuples.length === 0) return []
  const perStatement = Math.max(1, Math.floor((dialect.maxParams - 1) / columns.length))
  const rows: Row[] = []
  for (let start = 0; start < tuples.length; start += perStatement) {
    const chunk = tuples.slice(start, start + perStatement)
    const sql = new SqlBuilder(dialect).raw('SELECT ').id(table).raw('.*')
    exact.forEach((read, i) => {
      const ref = `${dialect.quote(table)}.${dialect.quote(read.column)}`
      sql.raw(`, ${read.sql.join(ref)} AS ${dialect.quote(exactAlias(i))}`)
    })
    sql.raw(' FROM ').id(table).raw(' WHERE ')
    if (columns.length === 1) {
      sql
        .id(columns[0] as string)
        .raw(' IN ')
        .list(chunk.map((t) => t[0]))
    } else {
      sql.raw(`(${columns.map((c) => dialect.quote(c)).join(', ')}) IN (`)
      chunk.forEach((tuple, i) => {
        if (i > 0) sql.raw(', ')
        sql.list(tuple)
      })
      sql.raw(')')
    }
    if (lock) sql.raw(dialect.lockSuffix)
    const { sql: text, params } = sql.build()
    const result = yield* query<Row>(text, params)
    for (const row of result.rows) rows.push(exact.length > 0 ? withExactTexts(row, exact) : row)
  }
  return rows
}

export function readRowsByKeys(
  connection: SqlConnection,
  dialect: SqlDialect,
  table: string,
  columns: readonly string[],
  tuples: readonly (readonly unknown[])[],
  lock = false,
  exact: readonly ExactRead[] = [],
): Promise<Row[]> {
  return runAsync(readRowsByKeysSteps(dialect, table, columns, tuples, lock, exact), connection)
}

/** Keeps the first row of each primary key (joins in a pre-read can repeat a row). */
export function uniqueByKey(
  meta: Pick<TableMeta, 'name' | 'primaryKey'>,
  rows: readonly Row[],
): Row[] {
  const seen = new Map<string, Row>()
  for (const row of rows) {
    const id = rowEntityId(meta, row)
    if (!seen.has(id)) seen.set(id, row)
  }
  return [...seen.values()]
}

function whereKey(sql: SqlBuilder, meta: TableMeta, key: Row): void {
  meta.primaryKey.forEach((column, i) => {
    sql
      .raw(i === 0 ? ' WHERE ' : ' AND ')
      .id(column)
      .raw(' = ')
      .value(key[column])
  })
}

/** INSERT of one row, each value encoded for its column's type. */
export function insertRow(dialect: SqlDialect, meta: TableMeta, row: Row) {
  const columns = Object.keys(row)
  const sql = new SqlBuilder(dialect).raw('INSERT INTO ').id(meta.name).raw(' (')
  sql.raw(columns.map((c) => dialect.quote(c)).join(', ')).raw(') VALUES (')
  columns.forEach((c, i) => {
    if (i > 0) sql.raw(', ')
    sql.value(row[c], meta.columns.get(c)?.type)
  })
  return sql.raw(')').build()
}

export function updateRow(dialect: SqlDialect, meta: TableMeta, key: Row, values: Row) {
  const sql = new SqlBuilder(dialect).raw('UPDATE ').id(meta.name).raw(' SET ')
  Object.entries(values).forEach(([c, v], i) => {
    if (i > 0) sql.raw(', ')
    sql.id(c).raw(' = ').value(v, meta.columns.get(c)?.type)
  })
  whereKey(sql, meta, key)
  return sql.build()
}

export function deleteRow(dialect: SqlDialect, meta: TableMeta, key: Row) {
  const sql = new SqlBuilder(dialect).raw('DELETE FROM ').id(meta.name)
  whereKey(sql, meta, key)
  return sql.build()
}
