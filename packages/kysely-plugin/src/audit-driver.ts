import { randomUUID } from 'node:crypto'
import type { AuditEvent } from '@chronicle/core'
import {
  type AuditEngine,
  type CaptureConnection,
  captureWrite,
  commitEntries,
  type SqlConnection,
  type SqlDatabase,
  type SqlResult,
  TransactionGuard,
  type WriteDescription,
  withCallerStack,
} from '@chronicle/core/adapter'
import {
  type AbortableOperationOptions,
  CompiledQuery,
  CreateTableNode,
  type DatabaseConnection,
  type Driver,
  DropTableNode,
  type QueryCompiler,
  type QueryResult,
  type RootOperationNode,
  SqliteDriver,
  type TransactionSettings,
} from 'kysely'
import { sqliteHandleOf } from './kysely-internals.js'
import { StatementCache } from './statement-cache.js'
import { describeWrite, type Printed } from './write-plan.js'

/**
 * Core's view of one Kysely connection. With a statement cache (SQLite), its statements
 * reuse prepared statements; they run through the connection all the same.
 */
function sqlConnection(
  connection: DatabaseConnection,
  cache: () => StatementCache | null | undefined = () => undefined,
): SqlConnection {
  return {
    async query<R>(sql: string, params: readonly unknown[]): Promise<SqlResult<R>> {
      const compiled = CompiledQuery.raw(sql, [...params])
      const statements = cache()
      const result = await (statements
        ? statements.run(sql, () => connection.executeQuery<R>(compiled))
        : connection.executeQuery<R>(compiled))
      return {
        rows: result.rows,
        ...(result.numAffectedRows !== undefined && { affectedRows: result.numAffectedRows }),
        ...(result.numChangedRows !== undefined && { changedRows: result.numChangedRows }),
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
  /**
   * The inner connection as the inner driver's transaction methods must get it (drivers call
   * their own private methods on it), except that its statements run through this
   * connection: Kysely's `log` wraps the connection Kysely holds, and must see BEGIN, COMMIT
   * and savepoints.
   */
  readonly forDriver: DatabaseConnection
  // Query cancellation (Kysely ≥ 0.29): offered exactly when the inner connection offers it.
  declare readonly cancelQuery?: DatabaseConnection['cancelQuery']
  declare readonly killSession?: DatabaseConnection['killSession']
  declare readonly collectSessionInfo?: DatabaseConnection['collectSessionInfo']
  readonly #driver: AuditDriver
  readonly #sql: CaptureConnection
  /** The open transaction, as core's capture must know it. */
  readonly guard = new TransactionGuard()
  /** A refused COMMIT rolled the transaction back: Kysely's own ROLLBACK after it has nothing to do. */
  rolledBack = false
  /** Releases the single-connection lock taken when this connection was acquired. */
  release: (() => void) | undefined
  #queue: Promise<unknown> = Promise.resolve()
  readonly #shadowed = new Set<string>()

  constructor(inner: DatabaseConnection, driver: AuditDriver) {
    this.inner = inner
    this.#driver = driver
    const driverInner = driver.inner
    const sql = sqlConnection(inner, () => driver.statementCache)
    // With prepared statements (SQLite), the transaction around a standalone write reuses
    // them too: BEGIN is the dialect's own statement either way, and Kysely's SqliteDriver
    // commits and rolls back with exactly these statements (a wrapping driver keeps its own).
    const sqliteDriver = driverInner instanceof SqliteDriver
    const control = (statement: () => string | undefined, otherwise: () => Promise<void>) => () => {
      const text = driver.statementCache ? statement() : undefined
      return text ? sql.query(text, []).then(() => undefined) : otherwise()
    }
    this.#sql = {
      ...sql,
      begin: control(
        () => driver.engine().dialect.beginStatement,
        () => driver.begin(inner, {}),
      ),
      commit: control(
        () => (sqliteDriver ? 'commit' : undefined),
        () => driverInner.commitTransaction(inner),
      ),
      rollback: control(
        () => (sqliteDriver ? 'rollback' : undefined),
        () => driverInner.rollbackTransaction(inner),
      ),
    }
    if (inner.cancelQuery) this.cancelQuery = inner.cancelQuery.bind(inner)
    if (inner.killSession) this.killSession = inner.killSession.bind(inner)
    if (inner.collectSessionInfo) this.collectSessionInfo = inner.collectSessionInfo.bind(inner)
    this.forDriver = new Proxy(inner, {
      get: (target, key) => {
        if (key === 'executeQuery')
          return (compiled: CompiledQuery, options?: AbortableOperationOptions) =>
            this.executeQuery(compiled, options)
        const value: unknown = Reflect.get(target, key)
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
  }

  executeQuery<R>(
    compiled: CompiledQuery,
    options?: AbortableOperationOptions,
  ): Promise<QueryResult<R>> {
    const engine = this.#driver.engine()
    const event = events.get(compiled)
    if (event) {
      return engine.recordEvent(this.#sql, event, this.guard).then(() => ({ rows: [] }))
    }
    this.#trackTemporaryTables(compiled.query)
    const write = describeWrite(
      compiled,
      { isAudited: (table) => engine.tableConfig(table) !== undefined, shadowed: this.#shadowed },
      this.#driver.compiler,
      engine.dialect.name,
      this.#driver.printed,
    )
    if (!write) return this.inner.executeQuery<R>(compiled, options)
    // Two audited writes sharing a connection must not interleave their pre-reads and writes.
    const run = this.#queue.then(() => this.#capture(engine, write))
    this.#queue = run.catch(() => undefined)
    return withCallerStack(run) as Promise<QueryResult<R>>
  }

  /** Before COMMIT: refuses a doomed transaction, writes the entries kept for it. */
  commitEntries(): Promise<void> {
    return commitEntries(this.#driver.engine(), this.#sql, this.guard)
  }

  /**
   * Temporary tables this connection created under an audited table's name: unqualified
   * writes reach them, not the audited table, so they pass through unaudited.
   */
  #trackTemporaryTables(node: RootOperationNode): void {
    if (CreateTableNode.is(node) && node.temporary && !node.table.table.schema) {
      this.#shadowed.add(node.table.table.identifier.name)
    } else if (DropTableNode.is(node) && !node.table.table.schema) {
      this.#shadowed.delete(node.table.table.identifier.name)
    }
  }

  async #capture(engine: AuditEngine, write: WriteDescription): Promise<QueryResult<unknown>> {
    if (this.#driver.statementCache === undefined) await this.#driver.findStatementCache(this.inner)
    const result = await captureWrite(engine, this.#sql, this.guard, write)
    return {
      rows: result.rows,
      ...(result.affectedRows !== undefined && { numAffectedRows: result.affectedRows }),
      ...(result.changedRows !== undefined && { numChangedRows: result.changedRows }),
      ...(result.insertId !== undefined && { insertId: result.insertId }),
    }
  }

  streamQuery<R>(
    compiled: CompiledQuery,
    chunkSize: number,
    options?: AbortableOperationOptions,
  ): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(compiled, chunkSize, options)
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
  /** Printed write forms by statement shape, shared by this driver's connections. */
  readonly printed = new Map<string, Printed | null>()
  /**
   * Prepared statements for core's statements: `undefined` until the first capture looks
   * for the better-sqlite3 handle, `null` where there is none (other databases, or a
   * driver that is not Kysely's `SqliteDialect`).
   */
  statementCache: StatementCache | null | undefined
  readonly #connections = new WeakMap<DatabaseConnection, AuditConnection>()
  readonly #mutex: Mutex | undefined
  readonly #onDestroy: (driver: AuditDriver) => void
  #init: Promise<void> | undefined
  #destroyed: Promise<void> | undefined
  /** Whether Kysely initialised this driver, and so will destroy it with `db.destroy()`. */
  #ownedByKysely = false

  constructor(
    inner: Driver,
    compiler: QueryCompiler,
    engine: () => AuditEngine,
    singleConnection: boolean,
    onDestroy: (driver: AuditDriver) => void,
  ) {
    this.inner = inner
    this.compiler = compiler
    this.engine = engine
    this.#mutex = singleConnection ? new Mutex() : undefined
    this.#onDestroy = onDestroy
  }

  async findStatementCache(connection: DatabaseConnection): Promise<void> {
    if (this.engine().dialect.name !== 'sqlite') {
      this.statementCache = null
      return
    }
    const handle = await sqliteHandleOf(connection)
    this.statementCache = handle ? StatementCache.of(handle) : null
  }

  /** Opened by audit queries alone: Kysely's `db.destroy()` will not close it. */
  get openedByAudit(): boolean {
    return this.#init !== undefined && !this.#ownedByKysely
  }

  init(options?: AbortableOperationOptions): Promise<void> {
    this.#ownedByKysely = true
    return this.#start(options)
  }

  #start(options?: AbortableOperationOptions): Promise<void> {
    this.#init ??= this.inner.init(options).catch((error: unknown) => {
      this.#init = undefined
      throw error
    })
    return this.#init
  }

  async acquireConnection(options?: AbortableOperationOptions): Promise<DatabaseConnection> {
    await this.#start(options)
    // Kysely already serialises its own users of a SQLite connection; this lock also covers
    // the transactions core opens (restore), which do not go through Kysely.
    const release = await this.#mutex?.lock()
    const inner = await this.inner.acquireConnection(options)
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
    await this.begin(audited.forDriver, settings)
    audited.rolledBack = false
    audited.guard.begin()
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const audited = connection as AuditConnection
    try {
      await audited.commitEntries()
    } catch (error) {
      audited.guard.end()
      await this.inner.rollbackTransaction(audited.forDriver)
      audited.rolledBack = true
      throw error
    }
    audited.guard.end()
    await this.inner.commitTransaction(audited.forDriver)
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const audited = connection as AuditConnection
    audited.guard.end()
    // Kysely rolls back after a failed COMMIT; the refused COMMIT above already did.
    if (audited.rolledBack) {
      audited.rolledBack = false
      return
    }
    await this.inner.rollbackTransaction(audited.forDriver)
  }

  async savepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ) {
    const audited = connection as AuditConnection
    await this.inner.savepoint?.(audited.forDriver, name, compile)
    audited.guard.savepoint(name)
  }

  async rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ) {
    const audited = connection as AuditConnection
    await this.inner.rollbackToSavepoint?.(audited.forDriver, name, compile)
    audited.guard.rollbackToSavepoint(name)
  }

  async releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ) {
    const audited = connection as AuditConnection
    await this.inner.releaseSavepoint?.(audited.forDriver, name, compile)
    audited.guard.releaseSavepoint(name)
  }

  async releaseConnection(
    connection: DatabaseConnection,
    options?: AbortableOperationOptions,
  ): Promise<void> {
    const audited = connection as AuditConnection
    await this.inner.releaseConnection(audited.inner, options)
    const release = audited.release
    audited.release = undefined
    release?.()
  }

  /**
   * Once, whoever asks first: Kysely's `db.destroy()` (only if Kysely itself used the driver)
   * or `audit.destroy()` (when only audit queries opened connections).
   */
  destroy(options?: AbortableOperationOptions): Promise<void> {
    this.#onDestroy(this)
    if (!this.#init) return Promise.resolve()
    this.#destroyed ??= this.#init.then(() => this.inner.destroy(options))
    return this.#destroyed
  }

  // --- SqlDatabase: core's reads and transactions, on the unaudited inner driver ---

  async query<R>(sql: string, params: readonly unknown[]): Promise<SqlResult<R>> {
    await this.#start()
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
    await this.#start()
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
