import { randomUUID } from 'node:crypto'
import type { AuditEvent } from '@chronicle/core'
import {
  type AuditEngine,
  captureWrite,
  commitEntries,
  type SqlConnection,
  type SqlDatabase,
  type SqlResult,
  TransactionGuard,
  type WriteDescription,
  withCallerStack,
} from '@chronicle/core/adapter'
import type {
  IsolationLevel,
  SqlDriverAdapter,
  SqlDriverAdapterFactory,
  SqlQuery,
  SqlQueryable,
  SqlResultSet,
  Transaction,
} from '@prisma/driver-adapter-utils'
import { rememberError } from './error-scope.js'
import {
  endTransaction,
  PrismaCaptureConnection,
  sqlConnection,
  startTransaction,
  toResultSet,
} from './prisma-connection.js'
import { type Audited, describeStatement } from './write-plan.js'

/** What the wrapped adapter needs from the audit: the engine, and which tables it audits. */
export interface AuditHost {
  engine(): AuditEngine
  audited(): Audited
  /** The explicit event a marker statement from `audit.log(event, { tx })` stands for. */
  event(sql: string): AuditEvent | undefined
}

/** Runs adapter work; a ChronicleError it throws is remembered for the Prisma operation. */
async function remembering<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (error) {
    rememberError(error)
    throw error
  }
}

/**
 * Sends Prisma's statements to the inner adapter or transaction, capturing those that write
 * an audited table: on the transaction they arrived on, or, for a statement sent outside
 * one, in a transaction core opens around it.
 */
class AuditQueryable {
  readonly #host: AuditHost
  readonly #inner: SqlQueryable
  /** Set for the adapter itself: statements on it arrive outside any transaction. */
  readonly #adapter: SqlDriverAdapter | undefined
  readonly guard = new TransactionGuard()
  #queue: Promise<unknown> = Promise.resolve()

  constructor(host: AuditHost, inner: SqlQueryable, adapter?: SqlDriverAdapter) {
    this.#host = host
    this.#inner = inner
    this.#adapter = adapter
  }

  queryRaw(query: SqlQuery): Promise<SqlResultSet> {
    return remembering(async () => {
      if (await this.#recordEvent(query)) return { columnNames: [], columnTypes: [], rows: [] }
      const write = this.#describe(query)
      if (!write) return this.#inner.queryRaw(query)
      return this.#capture(write, (result, types) =>
        toResultSet(result, write.userReturning, types),
      )
    })
  }

  executeRaw(query: SqlQuery): Promise<number> {
    return remembering(async () => {
      if (await this.#recordEvent(query)) return 0
      const write = this.#describe(query)
      if (!write) return this.#inner.executeRaw(query)
      return this.#capture(write, (result) => Number(result.affectedRows ?? result.rows.length))
    })
  }

  /** Writes the event `audit.log(event, { tx })` sent, in this transaction. */
  async #recordEvent(query: SqlQuery): Promise<boolean> {
    const event = this.#host.event(query.sql)
    if (!event) return false
    const connection = sqlConnection(() => this.#inner)
    await this.#host.engine().recordEvent(connection, event, this.guard)
    return true
  }

  #describe(query: SqlQuery): WriteDescription | undefined {
    const host = this.#host
    return describeStatement(query, host.engine().dialect, host.audited())
  }

  #capture<T>(
    write: WriteDescription,
    shape: (result: SqlResult, types: PrismaCaptureConnection['types']) => T,
  ): Promise<T> {
    // Two audited writes sharing a connection must not interleave their pre-reads and writes.
    const run = this.#queue.then(async () => {
      const engine = this.#host.engine()
      const connection = new PrismaCaptureConnection(
        this.#inner,
        this.#adapter,
        engine.dialect.beginStatement,
      )
      const result = await captureWrite(engine, connection, this.guard, write)
      return shape(result, connection.types)
    })
    this.#queue = run.catch(() => undefined)
    return withCallerStack(run)
  }
}

const CONTROL = /^\s*(commit|rollback)\s*;?\s*$/i

/** A transaction whose writes are captured in it, and whose COMMIT is refused when doomed. */
function auditTransaction(host: AuditHost, inner: Transaction): Transaction {
  const queryable = new AuditQueryable(host, inner)
  const { guard } = queryable
  guard.begin()
  /** Non-phantom adapters get COMMIT/ROLLBACK as SQL; phantom ones end in commit()/rollback(). */
  const control = async (action: string): Promise<void> => {
    if (action === 'commit') {
      try {
        await commitEntries(
          host.engine(),
          sqlConnection(() => inner),
          guard,
        )
      } catch (error) {
        guard.end()
        if (inner.options.usePhantomQuery) await inner.rollback()
        else await inner.executeRaw({ sql: 'ROLLBACK', args: [], argTypes: [] })
        rememberError(error)
        throw error
      }
    }
    guard.end()
  }
  const wrapped: Transaction = {
    provider: inner.provider,
    adapterName: inner.adapterName,
    options: inner.options,
    queryRaw: (query) => queryable.queryRaw(query),
    async executeRaw(query) {
      const match = CONTROL.exec(query.sql)
      if (!match) return queryable.executeRaw(query)
      await control(String(match[1]).toLowerCase())
      return inner.executeRaw(query)
    },
    async commit() {
      if (inner.options.usePhantomQuery) await control('commit')
      return inner.commit()
    },
    async rollback() {
      guard.end()
      return inner.rollback()
    },
  }
  if (inner.createSavepoint) {
    const create = inner.createSavepoint.bind(inner)
    wrapped.createSavepoint = async (name) => {
      await create(name)
      guard.savepoint(name)
    }
  }
  if (inner.rollbackToSavepoint) {
    const rollback = inner.rollbackToSavepoint.bind(inner)
    wrapped.rollbackToSavepoint = async (name) => {
      await rollback(name)
      guard.rollbackToSavepoint(name)
    }
  }
  if (inner.releaseSavepoint) {
    const release = inner.releaseSavepoint.bind(inner)
    wrapped.releaseSavepoint = async (name) => {
      await release(name)
      guard.releaseSavepoint(name)
    }
  }
  return wrapped
}

/** The adapter Prisma gets: every statement and transaction goes through the audit. */
function auditAdapter(host: AuditHost, inner: SqlDriverAdapter): SqlDriverAdapter {
  const queryable = new AuditQueryable(host, inner, inner)
  const adapter: SqlDriverAdapter = {
    provider: inner.provider,
    adapterName: inner.adapterName,
    queryRaw: (query) => queryable.queryRaw(query),
    executeRaw: (query) => queryable.executeRaw(query),
    executeScript: (script) => inner.executeScript(script),
    async startTransaction(isolationLevel?: IsolationLevel) {
      const begin = host.engine().dialect.beginStatement
      return auditTransaction(host, await startTransaction(inner, begin, isolationLevel))
    },
    dispose: () => inner.dispose(),
  }
  if (inner.getConnectionInfo) adapter.getConnectionInfo = inner.getConnectionInfo.bind(inner)
  return adapter
}

/**
 * Wraps a Prisma driver adapter factory. It is also core's {@link SqlDatabase}: audit
 * queries and the transactions restore opens run on the adapter Prisma connected, unaudited.
 */
export class AuditAdapterFactory implements SqlDriverAdapterFactory, SqlDatabase {
  readonly provider: SqlDriverAdapterFactory['provider']
  readonly adapterName: string
  readonly #inner: SqlDriverAdapterFactory
  readonly #host: AuditHost
  /** Prisma reads a zone-less date-time (`timestamp`, `DATETIME`) as UTC. */
  readonly zonelessTimestamps = 'utc'
  #adapter: Promise<SqlDriverAdapter> | undefined
  /** Whether the audit connected the adapter itself (Prisma never did), so it must close it. */
  #own = false

  constructor(inner: SqlDriverAdapterFactory, host: AuditHost) {
    this.#inner = inner
    this.#host = host
    this.provider = inner.provider
    this.adapterName = inner.adapterName
  }

  async connect(): Promise<SqlDriverAdapter> {
    const adapter = this.#inner.connect()
    this.#adapter = adapter
    this.#own = false
    return auditAdapter(this.#host, await adapter)
  }

  #current(): Promise<SqlDriverAdapter> {
    if (!this.#adapter) {
      this.#adapter = this.#inner.connect()
      this.#own = true
    }
    return this.#adapter
  }

  async query<R>(sql: string, params: readonly unknown[]): Promise<SqlResult<R>> {
    const adapter = await this.#current()
    return sqlConnection(() => adapter).query<R>(sql, params)
  }

  async transaction<T>(
    work: (connection: SqlConnection, transactionId: string) => Promise<T>,
  ): Promise<T> {
    const begin = this.#host.engine().dialect.beginStatement
    const tx = await startTransaction(await this.#current(), begin)
    let result: T
    try {
      result = await work(
        sqlConnection(() => tx),
        randomUUID(),
      )
    } catch (error) {
      await endTransaction(tx, 'rollback')
      throw error
    }
    await endTransaction(tx, 'commit')
    return result
  }

  /** Closes the adapter if only the audit opened it. */
  async dispose(): Promise<void> {
    const adapter = this.#adapter
    if (!adapter || !this.#own) return
    this.#adapter = undefined
    await (await adapter).dispose()
  }
}
