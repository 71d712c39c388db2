import type { ZonelessTimestamps } from '../entry/codec.js'

/** What a driver returned for one statement, in the shape core needs. */
export interface SqlResult<R = Record<string, unknown>> {
  readonly rows: R[]
  readonly affectedRows?: bigint
  readonly insertId?: bigint
  /** MySQL: rows whose values an UPDATE actually changed. */
  readonly changedRows?: bigint
}

/**
 * One database connection as core sees it. Adapters implement it over the ORM's own
 * connection so that core's statements run in the caller's transaction.
 */
export interface SqlConnection {
  query<R = Record<string, unknown>>(sql: string, params: readonly unknown[]): Promise<SqlResult<R>>
}

/** Root access: statements outside any user transaction, and transactions core opens itself. */
export interface SqlDatabase extends SqlConnection {
  /**
   * How the driver reads zone-less date-times (`timestamp`, `DATETIME`) into a `Date`;
   * entries decode them the same way. Default `'local'`, as pg and mysql2 read them.
   */
  readonly zonelessTimestamps?: ZonelessTimestamps
  transaction<T>(work: (connection: SqlConnection, transactionId: string) => Promise<T>): Promise<T>
}
