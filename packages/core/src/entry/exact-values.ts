import { ChronicleError } from '../errors/chronicle-error.js'
import type { ExactKind, SqlDialect } from '../store/dialect.js'
import type { Row } from '../store/rows.js'
import type { TableMeta } from '../store/table-meta.js'
import { DatabaseText } from './codec.js'

/** Column types whose values are doubles anyway: a large integral double there is exact. */
const FLOATING = /real|double|float/

/**
 * Refuses a row holding an integer the driver gave as a JS number beyond 2^53: it may
 * already be rounded (2^53 + 1 reads as 2^53), so recording it would record a value the
 * database does not hold and could attribute the change to another row's key.
 */
export function assertExactRow(meta: Pick<TableMeta, 'name' | 'columns'>, row: Row): void {
  for (const column in row) {
    const value = row[column]
    if (typeof value !== 'number' || Number.isSafeInteger(value) || !Number.isInteger(value)) {
      continue
    }
    if (FLOATING.test(meta.columns.get(column)?.type ?? '')) continue
    throw new ChronicleError(
      'UNSAFE_INTEGER',
      `column "${column}" of "${meta.name}" holds ${value}, an integer beyond 2^53 that a JS number cannot hold exactly, so nothing was recorded: have the driver return exact integers (better-sqlite3: db.defaultSafeIntegers(true); mysql2: supportBigNumbers: true, bigNumberStrings: true; pg returns int8 as exact text by default)`,
      { table: meta.name },
    )
  }
}

/** A column read as the database's own text too (see `SqlDialect.exactText`). */
export interface ExactRead {
  readonly column: string
  /** SQL around the column reference: `sql[0] <target>.<column> sql[1] <target>.<column> …`. */
  readonly sql: readonly string[]
  readonly kind: ExactKind
}

/** The name the `i`-th exact read is selected under; never reaches the caller. */
export const exactAlias = (i: number): string => `__chronicle_x${i}`

const reads = new WeakMap<TableMeta, readonly ExactRead[]>()

/** The columns of a table whose exact text every capture and restore reads (cached per shape). */
export function exactReads(
  meta: Pick<TableMeta, 'columns'>,
  dialect: Pick<SqlDialect, 'exactText'>,
): readonly ExactRead[] {
  let list = reads.get(meta as TableMeta)
  if (!list) {
    list = [...meta.columns.values()].flatMap((column) => {
      const exact = dialect.exactText(column.type)
      return exact ? [{ column: column.name, ...exact }] : []
    })
    reads.set(meta as TableMeta, list)
  }
  return list
}

/**
 * The row a snapshot is made of: Chronicle's own selections removed, and each exact
 * column's value paired with its text, when the database gave one.
 */
export function withExactTexts(returned: Row, exact: readonly ExactRead[]): Row {
  const row: Row = {}
  for (const column in returned) {
    if (!column.startsWith('__chronicle_')) row[column] = returned[column]
  }
  exact.forEach((read, i) => {
    const text = returned[exactAlias(i)]
    if (typeof text === 'string' && read.column in row) {
      row[read.column] = new DatabaseText(text, read.kind, row[read.column])
    }
  })
  return row
}

/** A value of a snapshot row as the driver gave it. */
export function plainValue(value: unknown): unknown {
  return value instanceof DatabaseText ? value.value : value
}
