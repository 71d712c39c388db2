import type {
  CaptureConnection,
  SqlConnection,
  SqlResult,
  UserSelection,
} from '@chronicle/core/adapter'
import type {
  ColumnType,
  IsolationLevel,
  SqlDriverAdapter,
  SqlQuery,
  SqlQueryable,
  SqlResultSet,
  Transaction,
} from '@prisma/driver-adapter-utils'
import { rowsOf, toPrismaArgs, toPrismaValue } from './sql/prisma-args.js'
import { insertRowCounts } from './write-plan.js'

const NO_ARGS = { args: [], argTypes: [] }

/** Statements whose rows core reads; the others report how many rows they changed. */
function returnsRows(sql: string): boolean {
  return /^\s*(select|with|show|pragma)\b/i.test(sql) || /\breturning\b/i.test(sql)
}

/**
 * A driver adapter error, as core reads driver errors: the driver's own code and message
 * (`SQLITE_BUSY`, `42P01`, 1146). It stays a DriverAdapterError, so Prisma still maps it.
 */
function asDriverError(error: unknown): unknown {
  if (!(error instanceof Error) || error.name !== 'DriverAdapterError') return error
  const cause = (error as { cause?: { originalCode?: string; originalMessage?: string } }).cause
  if (typeof cause !== 'object' || cause === null) return error
  const driver = error as Error & { code?: unknown; errno?: unknown }
  if (cause.originalMessage) driver.message = cause.originalMessage
  if (cause.originalCode !== undefined) {
    driver.code = cause.originalCode
    if (/^\d+$/.test(cause.originalCode)) driver.errno = Number(cause.originalCode)
  }
  return error
}

/**
 * Core's view of a driver adapter or one of its transactions. It remembers the column
 * types of what it read, so rows handed back to Prisma carry them.
 */
export function sqlConnection(
  on: () => SqlQueryable,
  types?: Map<string, ColumnType>,
): SqlConnection {
  return {
    async query<R>(sql: string, params: readonly unknown[]): Promise<SqlResult<R>> {
      try {
        return await run<R>(sql, params)
      } catch (error) {
        throw asDriverError(error)
      }
    },
  }
  async function run<R>(sql: string, params: readonly unknown[]): Promise<SqlResult<R>> {
    const query: SqlQuery = { sql, ...toPrismaArgs(params) }
    const inserted = insertRowCounts.get(params)
    if (inserted === undefined && !returnsRows(sql)) {
      return { rows: [], affectedRows: BigInt(await on().executeRaw(query)) }
    }
    const queryable = on()
    const result = await queryable.queryRaw(query)
    if (types) {
      result.columnNames.forEach((name, i) => {
        types.set(name, result.columnTypes[i] as ColumnType)
      })
    }
    return {
      rows: rowsOf(result) as R[],
      ...(inserted !== undefined && { affectedRows: BigInt(inserted) }),
      ...(result.lastInsertId !== undefined && { insertId: BigInt(result.lastInsertId) }),
    }
  }
}

/**
 * Opens a transaction on the adapter that may write. Where the dialect has its own BEGIN
 * (SQLite's `BEGIN IMMEDIATE`: a deferred transaction that read first fails at its first
 * write whenever another connection took the write lock), the adapter's plain BEGIN is
 * replaced by it, on the same transaction.
 */
export async function startTransaction(
  adapter: SqlDriverAdapter,
  begin: string | undefined,
  isolationLevel?: IsolationLevel,
): Promise<Transaction> {
  const tx = await adapter.startTransaction(isolationLevel)
  return begin ? beginWith(tx, begin) : tx
}

/** Replaces the plain BEGIN a driver adapter sent with `begin`. */
async function beginWith(tx: Transaction, begin: string): Promise<Transaction> {
  if (tx.options.usePhantomQuery) return tx
  try {
    await tx.executeRaw({ sql: 'ROLLBACK', ...NO_ARGS })
    await tx.executeRaw({ sql: begin, ...NO_ARGS })
  } catch (error) {
    await tx.rollback()
    throw error
  }
  return tx
}

/** Ends a driver adapter transaction as Prisma does: COMMIT/ROLLBACK as SQL unless the adapter sends it. */
export async function endTransaction(
  tx: Transaction,
  action: 'commit' | 'rollback',
): Promise<void> {
  if (!tx.options.usePhantomQuery) {
    try {
      await tx.executeRaw({ sql: action === 'commit' ? 'COMMIT' : 'ROLLBACK', ...NO_ARGS })
    } catch (error) {
      await tx.rollback()
      throw error
    }
  }
  await (action === 'commit' ? tx.commit() : tx.rollback())
}

/**
 * The connection core captures a write on: the caller's transaction, or, for a statement
 * Prisma sent outside one, the adapter until core opens its own transaction on it.
 */
export class PrismaCaptureConnection implements CaptureConnection {
  readonly types = new Map<string, ColumnType>()
  readonly #adapter: SqlDriverAdapter | undefined
  readonly #begin: string | undefined
  #current: SqlQueryable
  #own: Transaction | undefined
  readonly #sql: SqlConnection

  constructor(queryable: SqlQueryable, adapter?: SqlDriverAdapter, begin?: string) {
    this.#current = queryable
    this.#adapter = adapter
    this.#begin = begin
    this.#sql = sqlConnection(() => this.#current, this.types)
  }

  query<R>(sql: string, params: readonly unknown[]): Promise<SqlResult<R>> {
    return this.#sql.query<R>(sql, params)
  }

  async begin(): Promise<void> {
    if (!this.#adapter) throw new Error('core opened a transaction inside the caller’s own')
    this.#own = await startTransaction(this.#adapter, this.#begin)
    this.#current = this.#own
  }

  async commit(): Promise<void> {
    await this.#end('commit')
  }

  async rollback(): Promise<void> {
    await this.#end('rollback')
  }

  async #end(action: 'commit' | 'rollback'): Promise<void> {
    const own = this.#own
    this.#own = undefined
    if (this.#adapter) this.#current = this.#adapter
    if (own) await endTransaction(own, action)
  }
}

/** A captured write's result as Prisma reads it from its driver adapter. */
export function toResultSet(
  result: SqlResult,
  selections: readonly UserSelection[] | null,
  types: ReadonlyMap<string, ColumnType>,
): SqlResultSet {
  const named = new Map<string, ColumnType | undefined>()
  selections?.forEach((selection, i) => {
    if ('name' in selection) {
      named.set(selection.name, types.get(`__chronicle_u${i}`) ?? types.get(selection.name))
    }
  })
  const first = result.rows[0]
  const columnNames = first ? Object.keys(first) : [...named.keys()]
  const columnTypes = columnNames.map(
    (name) => (named.get(name) ?? types.get(name) ?? 7) as ColumnType,
  )
  return {
    columnNames,
    columnTypes,
    rows: result.rows.map((row) =>
      columnNames.map((name, i) => toPrismaValue(row[name], columnTypes[i])),
    ),
    ...(result.insertId !== undefined && { lastInsertId: result.insertId.toString() }),
  }
}
