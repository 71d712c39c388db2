import type { CompiledQuery, DatabaseConnection, Dialect, Driver, QueryResult } from 'kysely'

/** Counts every statement that reaches the database, and remembers the last ones. */
export class StatementCounter {
  count = 0
  recent: { sql: string; parameters: readonly unknown[] }[] = []

  reset(): void {
    this.count = 0
    this.recent = []
  }
}

/**
 * Wraps a dialect so every statement its connections run is counted: the user's write,
 * Chronicle's pre-reads and audit inserts, and BEGIN/COMMIT (Kysely's drivers run those
 * through the connection too). Chronicle is attached on top of this, so it sees through it.
 */
export function countingDialect(inner: Dialect, counter: StatementCounter): Dialect {
  return {
    createAdapter: () => inner.createAdapter(),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createIntrospector: (db) => inner.createIntrospector(db),
    createDriver: () => countingDriver(inner.createDriver(), counter),
  }
}

function countingDriver(driver: Driver, counter: StatementCounter): Driver {
  const wrapped = new WeakMap<DatabaseConnection, DatabaseConnection>()
  const inner = new WeakMap<DatabaseConnection, DatabaseConnection>()
  const wrap = (connection: DatabaseConnection) => {
    let counting = wrapped.get(connection)
    if (!counting) {
      counting = {
        executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
          counter.count += 1
          counter.recent.push({ sql: query.sql, parameters: query.parameters })
          if (counter.recent.length > 20) counter.recent.shift()
          return connection.executeQuery<R>(query)
        },
        streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
      }
      wrapped.set(connection, counting)
      inner.set(counting, connection)
    }
    return counting
  }
  const unwrap = (connection: DatabaseConnection) => inner.get(connection) ?? connection
  return {
    init: () => driver.init(),
    acquireConnection: async () => wrap(await driver.acquireConnection()),
    // Drivers run BEGIN/COMMIT/SAVEPOINT through executeQuery, so they get the counting wrapper…
    beginTransaction: (connection, settings) => driver.beginTransaction(connection, settings),
    commitTransaction: (connection) => driver.commitTransaction(connection),
    rollbackTransaction: (connection) => driver.rollbackTransaction(connection),
    savepoint: (connection, name, compile) =>
      driver.savepoint?.(connection, name, compile) ?? Promise.resolve(),
    rollbackToSavepoint: (connection, name, compile) =>
      driver.rollbackToSavepoint?.(connection, name, compile) ?? Promise.resolve(),
    releaseSavepoint: (connection, name, compile) =>
      driver.releaseSavepoint?.(connection, name, compile) ?? Promise.resolve(),
    // …but release needs the driver's own connection object.
    releaseConnection: (connection) => driver.releaseConnection(unwrap(connection)),
    destroy: () => driver.destroy(),
  }
}
