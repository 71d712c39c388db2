import { randomUUID } from 'node:crypto'
import type { ResolvedOptions, ResolvedTable } from '../config/options.js'
import { type AuditContext, getAuditContext, mergeAuditContext } from '../context/audit-context.js'
import { assertContextFits } from '../context/context-limits.js'
import type { NewEntry } from '../entry/audit-entry.js'
import { type AuditEvent, eventEntry } from '../entry/audit-event.js'
import { ChronicleError } from '../errors/chronicle-error.js'
import { missingAuditTable } from '../errors/driver-error.js'
import type { SqlConnection, SqlDatabase } from '../store/connection.js'
import type { SqlDialect } from '../store/dialect.js'
import { entryRows, writeEntriesSteps } from '../store/entry-store.js'
import { query, runAsync, runSync, type Steps, type SyncSqlConnection } from '../store/steps.js'
import { loadTableMetaSteps, readColumnsSteps, type TableMeta } from '../store/table-meta.js'
import { buildEntries, type RowChange } from './build-entries.js'
import type { TransactionGuard } from './transaction-guard.js'
import type { WriteOperation } from './write-description.js'

/**
 * What adapters call: it knows the configured tables, introspects them once, turns row
 * changes into entries and writes them on the connection it is given.
 */
export class AuditEngine {
  readonly options: ResolvedOptions
  readonly dialect: SqlDialect
  readonly database: SqlDatabase
  readonly #meta = new Map<string, TableMeta>()
  #auditTableChecked = false
  #defaultSchema: string | undefined
  #returning: ReadonlySet<WriteOperation> | undefined

  constructor(options: ResolvedOptions, dialect: SqlDialect, database: SqlDatabase) {
    this.options = options
    this.dialect = dialect
    this.database = database
  }

  /** The table's settings, or `undefined` when it is not audited. */
  tableConfig(table: string): ResolvedTable | undefined {
    return this.options.tables.get(table)
  }

  requireTable(table: string): ResolvedTable {
    const config = this.options.tables.get(table)
    if (!config) {
      throw new ChronicleError(
        'UNKNOWN_TABLE',
        `table "${table}" is not audited: add it to the tables option`,
        { table },
      )
    }
    return config
  }

  /**
   * The table's live shape, introspected at first use and cached. `fresh` re-reads it (as
   * restore must); so does naming a column the cached shape lacks (a migration added it
   * while the application runs). Also checks, once, that the audit table exists.
   */
  *tableMetaSteps(
    table: string,
    options: { readonly fresh?: boolean; readonly columns?: readonly string[] } = {},
  ): Steps<TableMeta> {
    const config = this.requireTable(table)
    yield* this.#checkAuditTable()
    const cached = options.fresh ? undefined : this.#meta.get(table)
    if (cached && !options.columns?.some((c) => !cached.columns.has(c))) return cached
    const meta = yield* loadTableMetaSteps(this.dialect, config)
    this.#meta.set(table, meta)
    return meta
  }

  tableMeta(
    connection: SqlConnection,
    table: string,
    options: { readonly fresh?: boolean; readonly columns?: readonly string[] } = {},
  ): Promise<TableMeta> {
    return runAsync(this.tableMetaSteps(table, options), connection)
  }

  /**
   * True when `schema` is the one unqualified names resolve to (PostgreSQL's
   * `current_schema()`, MySQL's database): `public.users` is then the configured `users`.
   */
  *isDefaultSchema(schema: string): Steps<boolean> {
    if (this.#defaultSchema === undefined) {
      const { rows } = yield* query<{ schema: string }>(this.dialect.currentSchemaSql, [])
      this.#defaultSchema = String(rows[0]?.schema)
    }
    return this.#defaultSchema === schema
  }

  /**
   * The writes whose rows this server returns (`INSERT/UPDATE/DELETE … RETURNING`): all of
   * them, or, on MariaDB 10.5+, INSERT and single-table DELETE. Read once per engine.
   */
  *returningSteps(): Steps<ReadonlySet<WriteOperation>> {
    if (this.#returning) return this.#returning
    const partial = this.dialect.partialReturning
    let operations: readonly WriteOperation[] = []
    if (this.dialect.supportsReturning) operations = ['insert', 'update', 'delete']
    else if (partial) {
      const { rows } = yield* query<{ version: unknown }>(partial.versionSql, [])
      operations = partial.operations(String(rows[0]?.version))
    }
    this.#returning = new Set(operations)
    return this.#returning
  }

  *#checkAuditTable(): Steps<void> {
    if (this.#auditTableChecked) return
    const name = this.options.auditTable
    const columns = yield* readColumnsSteps(this.dialect, name)
    if (columns.size === 0) throw missingAuditTable(name)
    this.#auditTableChecked = true
  }

  /** The context for entries written now: configured `context()` over `withAuditContext`. */
  currentContext(extra?: AuditContext): AuditContext {
    return assertContextFits(
      this.dialect,
      mergeAuditContext(getAuditContext(), this.options.context?.(), extra),
    )
  }

  /**
   * Writes the entries a change means, in the change's own transaction; returns how many.
   * `context` is the one {@link AuditEngine.currentContext} resolved for this write. With
   * `entries: 'at-commit'`, a change in the user's transaction (`guard`) keeps them on the
   * guard for {@link commitEntries} instead.
   */
  *recordSteps(
    change: RowChange,
    transactionId: string,
    context: AuditContext,
    guard?: TransactionGuard,
  ): Steps<number> {
    const meta = yield* this.tableMetaSteps(change.table)
    const entries = buildEntries(meta, change, { transactionId, createdAt: new Date(), context })
    if (entries.length > 0) yield* this.#store(entries, guard)
    return entries.length
  }

  *#store(entries: readonly NewEntry[], guard: TransactionGuard | undefined): Steps<void> {
    if (guard?.transactionId != null && this.options.entries === 'at-commit') {
      guard.defer(entryRows(this.dialect, entries))
    } else {
      yield* writeEntriesSteps(this.dialect, this.options.auditTable, entries)
    }
  }

  /** {@link AuditEngine.recordSteps} on `connection`. */
  record(
    connection: SqlConnection,
    change: RowChange,
    transactionId: string,
    extraContext?: AuditContext,
  ): Promise<number> {
    const context = this.currentContext(extraContext)
    return runAsync(this.recordSteps(change, transactionId, context), connection)
  }

  /**
   * Writes an explicit event, in the transaction the statements run in: the one `guard`
   * has open (where, with `entries: 'at-commit'`, it waits for COMMIT beside the rows'
   * entries), else a transaction of its own.
   */
  *recordEventSteps(event: AuditEvent, guard?: TransactionGuard): Steps<void> {
    const entry = eventEntry(event, this.currentContext(), guard?.transactionId ?? randomUUID())
    yield* this.#checkAuditTable()
    yield* this.#store([entry], guard)
  }

  /** Writes an explicit event on `connection`, inside `guard`'s transaction when it has one. */
  async recordEvent(
    connection: SqlConnection,
    event: AuditEvent,
    guard?: TransactionGuard,
  ): Promise<void> {
    await runAsync(this.recordEventSteps(event, guard), connection)
  }

  /** {@link AuditEngine.recordEvent} over a driver that answers synchronously. */
  recordEventSync(
    connection: SyncSqlConnection,
    event: AuditEvent,
    guard?: TransactionGuard,
  ): void {
    runSync(this.recordEventSteps(event, guard), connection)
  }
}
