import type { SqlConnection, SqlResult } from './connection.js'
import type { Statement } from './dialect.js'

/** What a step asks its runner for: a statement's result, or a transaction boundary. */
export type Op = Statement | { readonly control: 'begin' | 'commit' | 'rollback' }

/**
 * Work on one connection written once and run either way: awaited over an async driver,
 * or synchronously over one that must not yield (better-sqlite3 inside a synchronous
 * transaction). Each yielded statement receives its result; a failure is thrown back in.
 */
export type Steps<T> = Generator<Op, T, SqlResult>

/** Runs one statement. */
export function* query<R = Record<string, unknown>>(
  sql: string,
  params: readonly unknown[],
): Generator<Op, SqlResult<R>, SqlResult> {
  return (yield { sql, params }) as SqlResult<R>
}

/** A connection that can also open and end the transaction core wraps around a write. */
export interface TransactionControl<R> {
  begin(): R
  commit(): R
  rollback(): R
}

/** A connection whose driver answers synchronously (better-sqlite3). */
export interface SyncSqlConnection {
  query<R = Record<string, unknown>>(sql: string, params: readonly unknown[]): SqlResult<R>
}

function unsupportedControl(op: Op): never {
  throw new Error(`this connection cannot ${'control' in op ? op.control : 'run'} a transaction`)
}

/** Awaits each step's statement on `connection`. */
export async function runAsync<T>(
  steps: Steps<T>,
  connection: SqlConnection & Partial<TransactionControl<Promise<void>>>,
): Promise<T> {
  let next = steps.next()
  while (!next.done) {
    const op = next.value
    let result: SqlResult
    try {
      if ('control' in op) {
        const control = connection[op.control] ?? unsupportedControl(op)
        await control.call(connection)
        result = { rows: [] }
      } else {
        result = await connection.query(op.sql, op.params)
      }
    } catch (error) {
      next = steps.throw(error)
      continue
    }
    next = steps.next(result)
  }
  return next.value
}

/** Runs each step's statement on `connection` without ever yielding to the event loop. */
export function runSync<T>(
  steps: Steps<T>,
  connection: SyncSqlConnection & Partial<TransactionControl<void>>,
): T {
  let next = steps.next()
  while (!next.done) {
    const op = next.value
    let result: SqlResult
    try {
      if ('control' in op) {
        const control = connection[op.control] ?? unsupportedControl(op)
        control.call(connection)
        result = { rows: [] }
      } else {
        result = connection.query(op.sql, op.params)
      }
    } catch (error) {
      next = steps.throw(error)
      continue
    }
    next = steps.next(result)
  }
  return next.value
}
