import { randomUUID } from 'node:crypto'
import type {
  AuditEngine,
  AuditEvent,
  SqlConnection,
  SqlDatabase,
  SqlResult,
} from '@chronicle/core'
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely'
import { captureWrite } from './capture-write.js'
import { planWrite } from './write-plan.js'

/** Core's view of one Kysely connection. */
function sqlConnection(connection: DatabaseConnection): SqlConnection {
  return {
    async query<R>(sql: string, params: readonly unknown[]): Promise<SqlResult<R>> {
      const result = await connection.executeQuery<R>(CompiledQuery.raw(sql, [...params]))
      return {
        rows: result.rows,
        ...(result.numAffectedRows !== undefined && { affectedRows: result.numAffectedRows }),
        ...(result.insertId !== undefined && { insertId: result.insertId }),
      }
    },
  }
}

const events = new WeakMap<CompiledQuery, AuditEvent>()

/**
 * A query that, run through a Kysely instance or transaction, writes `event` on that
 * transaction's connection (Kysely hands the same object down to the connection).
 */
export function eventQuery(event: AuditEvent): CompiledQuery {
  const query = CompiledQuery.raw('select 1')
  events.set(query, event)
  return query
}

/** Serialises users of a single-connection database (SQLite), as Kysely's own driver does. */
class Mutex {
  #tail: Promise<void> = Promise.resolve()
  lock(): Promise<() => void> {
    let release!: () => void
    const next = new Promise<void>((resolve) => {
      release = resolve
    })
    const acquired = this.#tail.then(() => release)
    this.#tail = this.#tail.then(() => next)
    return acquired
  }
}

/**
 * A connection that audits the writes run through it. It knows whether it is inside a
 * transaction (the driver tells it), so audit rows join the user's transaction or one it
 * opens itself around a standalone write.
 */
class AuditConnection implements DatabaseConnection {
  readonly inner: DatabaseConnection
  readonly #driver: AuditDriver
  readonly #sql: SqlConnection
  transactionId: string | null = null
  /** Releases the single-connection lock taken when this connection was acquired. */
  release: (() => void) | undefined
  #queue: Promise<unknown> = Promise.resolve()

  constructor(inner: DatabaseConnection, driver: AuditDriver) {
    this.inner = inner
    this.#driver = driver
    this.#sql = sqlConnection(inner)
  }

  executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const engine = this.#driver.engine()
    const event = events.get(compiled)
    if (event) {
      return engine
        .recordEvent(this.#sql, event, this.transactionId ?? randomUUID())
        .then(() => ({ rows: [] }))
    }
    const plan = planWrite(compiled.query, (table) => engine.tableConfig(table) !== undefined)
    if (!plan) return this.inner.executeQuery<R>(compiled)
    // Two audited writes sharing a connection must not interleave their pre-reads and writes.
    const run = this.#queue.then(() => this.#capture(engine, compiled, plan))
    this.#queue = run.catch(() => undefined)
    return run as Promise<QueryResult<R>>
  }

  async #capture(
    engine: AuditEngine,
    compiled: CompiledQuery,
    plan: NonNullable<ReturnType<typeof planWrite>>,
  ) {
    const context = (transactionId: string) => ({
      engine,
      compiler: this.#driver.compiler,
      connection: this.inner,
      sql: this.#sql,
      transactionId,
      returningSql: this.#driver.returningSql,
    })
    if (this.transactionId !== null)
      return captureWrite(context(this.transactionId), compiled, plan)
    const transactionId = randomUUID()
    await this.#driver.begin(this.inner, {})
    try {
      const result = await captureWrite(context(transactionId), compiled, plan)
      await this.#driver.inner.commitTransaction(this.inner)
      return result
    } catch (error) {
      await this.#driver.inner.rollbackTransaction(this.inner)
      throw error
    }
  }

  streamQuery<R>(
    compiled: CompiledQuery,
    chunkSize: number,
  ): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(compiled, chunkSize)
  }
}

/**
 * Wraps the dialect's driver: every connection it hands out audits writes, and it doubles as
 * core's {@link SqlDatabase} for queries and for the transactions restore opens.
 */
export class AuditDriver implements Driver, SqlDatabase {
  readonly inner: Driver
  readonly compiler: QueryCompiler
  readonly engine: () => AuditEngine
  readonly returningSql = new Map<string, string>()
  readonly #connections = new WeakMap<DatabaseConnection, AuditConnection>()
  readonly #mutex: Mutex | undefined
  #init: Promise<void> | undefined
  #destroyed: Promise<void> | undefined

  constructor(
    inner: Driver,
    compiler: QueryCompiler,
    engine: () => AuditEngine,
    singleConnection: boolean,
  ) {
    this.inner = inner
    this.compiler = compiler
    this.engine = engine
    this.#mutex = singleConnection ? new Mutex() : undefined
  }

  init(): Promise<void> {
    this.#init ??= this.inner.init().catch((error: unknown) => {
      this.#init = undefined
      throw error
    })
    return this.#init
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.init()
    // Kysely already serialises its own users of a SQLite connection; this lock also covers
    // the transactions core opens (restore), which do not go through Kysely.
    const release = await this.#mutex?.lock()
    const inner = await this.inner.acquireConnection()
    let connection = this.#connections.get(inner)
    if (!connection) {
      connection = new AuditConnection(inner, this)
      this.#connections.set(inner, connection)
    }
    connection.release = release
    return connection
  }

  /**
   * Opens a transaction on an inner connection with the dialect's own BEGIN where it has one
   * (SQLite: `BEGIN IMMEDIATE`, so a write never fails on a lock another connection took
   * after this transaction's first read), else the driver's.
   */
  async begin(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const statement = this.engine().dialect.beginStatement
    if (statement) await connection.executeQuery(CompiledQuery.raw(statement))
    else await this.inner.beginTransaction(connection, settings)
  }

  async beginTransaction(
    connection: DatabaseConnection,
    settings: TransactionSettings,
  ): Promise<void> {
    const audited = connection as AuditConnection
    await this.begin(audited.inner, settings)
    audited.transactionId = randomUUID()
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const audited = connection as AuditConnection
    audited.transactionId = null
    await this.inner.commitTransaction(audited.inner)
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const audited = connection as AuditConnection
    audited.transactionId = null
    await this.inner.rollbackTransaction(audited.inner)
  }

  async savepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ) {
    await this.inner.savepoint?.((connection as AuditConnection).inner, name, compile)
  }

  async rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ) {
    await this.inner.rollbackToSavepoint?.((connection as AuditConnection).inner, name, compile)
  }

  async releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ) {
    await this.inner.releaseSavepoint?.((connection as AuditConnection).inner, name, compile)
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const audited = connection as AuditConnection
    await this.inner.releaseConnection(audited.inner)
    const release = audited.release
    audited.release = undefined
    release?.()
  }

  /**
   * Once, whoever asks first: Kysely's `db.destroy()` (only if Kysely itself used the driver)
   * or `audit.destroy()` (when only audit queries opened connections).
   */
  destroy(): Promise<void> {
    if (!this.#init) return Promise.resolve()
    this.#destroyed ??= this.#init.then(() => this.inner.destroy())
    return this.#destroyed
  }

  // --- SqlDatabase: core's reads and transactions, on the unaudited inner driver ---

  async query<R>(sql: string, params: readonly unknown[]): Promise<SqlResult<R>> {
    await this.init()
    const connection = await this.inner.acquireConnection()
    try {
      return await sqlConnection(connection).query<R>(sql, params)
    } finally {
      await this.inner.releaseConnection(connection)
    }
  }

  async transaction<T>(
    work: (connection: SqlConnection, transactionId: string) => Promise<T>,
  ): Promise<T> {
    await this.init()
    const release = await this.#mutex?.lock()
    const connection = await this.inner.acquireConnection()
    try {
      await this.begin(connection, {})
      try {
        const result = await work(sqlConnection(connection), randomUUID())
        await this.inner.commitTransaction(connection)
        return result
      } catch (error) {
        await this.inner.rollbackTransaction(connection)
        throw error
      }
    } finally {
      await this.inner.releaseConnection(connection)
      release?.()
    }
  }
}
