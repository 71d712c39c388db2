import type { AuditEngine, SqlConnection, SqlDatabase, SqlResult } from '@chronicle/core/adapter'
import type { DatabaseIntrospector, Dialect, DialectAdapter, Driver, QueryCompiler } from 'kysely'
import { AuditDriver } from './audit-driver.js'

/**
 * The dialect `audit.dialect(inner)` returns. Like any dialect, it gives each Kysely instance
 * a driver of its own (here over a new inner driver), so instances open and close their own
 * connections. It is also core's {@link SqlDatabase}: audit queries run on the newest driver
 * still open, or, once every instance is destroyed, on one the audit opens for itself.
 */
export class AuditDialect implements Dialect, SqlDatabase {
  readonly #inner: Dialect
  readonly #adapter: DialectAdapter
  readonly #engine: () => AuditEngine
  /** Drivers not yet destroyed, oldest first. */
  readonly #drivers: AuditDriver[] = []

  constructor(inner: Dialect, adapter: DialectAdapter, engine: () => AuditEngine) {
    this.#inner = inner
    this.#adapter = adapter
    this.#engine = engine
  }

  createAdapter(): DialectAdapter {
    return this.#adapter
  }

  createDriver(): Driver {
    return this.#createDriver()
  }

  createQueryCompiler(): QueryCompiler {
    return this.#inner.createQueryCompiler()
  }

  createIntrospector(db: Parameters<Dialect['createIntrospector']>[0]): DatabaseIntrospector {
    return this.#inner.createIntrospector(db)
  }

  query<R>(sql: string, params: readonly unknown[]): Promise<SqlResult<R>> {
    return this.#current().query<R>(sql, params)
  }

  transaction<T>(
    work: (connection: SqlConnection, transactionId: string) => Promise<T>,
  ): Promise<T> {
    return this.#current().transaction(work)
  }

  /** Closes the drivers that only audit queries opened; Kysely closes the ones it used. */
  async destroy(): Promise<void> {
    await Promise.all(
      this.#drivers.filter((driver) => driver.openedByAudit).map((driver) => driver.destroy()),
    )
  }

  #current(): AuditDriver {
    return this.#drivers.at(-1) ?? this.#createDriver()
  }

  #createDriver(): AuditDriver {
    const driver = new AuditDriver(
      this.#inner.createDriver(),
      this.#inner.createQueryCompiler(),
      this.#engine,
      this.#adapter.supportsMultipleConnections === false,
      (destroyed) => {
        const index = this.#drivers.indexOf(destroyed)
        if (index >= 0) this.#drivers.splice(index, 1)
      },
    )
    this.#drivers.push(driver)
    return driver
  }
}
