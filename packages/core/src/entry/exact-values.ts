import { ChronicleError } from '../errors/chronicle-error.js'
import type { Row } from '../store/rows.js'
import type { TableMeta } from '../store/table-meta.js'

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
