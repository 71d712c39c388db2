import type { ResolvedOptions, ResolvedTable } from '../config/options.js'
import { type AuditContext, getAuditContext, mergeAuditContext } from '../context/audit-context.js'
import { assertContextFits } from '../context/context-limits.js'
import { type AuditEvent, eventEntry } from '../entry/audit-event.js'
import { ChronicleError } from '../errors/chronicle-error.js'
import { missingAuditTable } from '../errors/driver-error.js'
import type { SqlConnection, SqlDatabase } from '../store/connection.js'
import type { SqlDialect } from '../store/dialect.js'
import { writeEntries } from '../store/entry-store.js'
import { loadTableMeta, readColumns, type TableMeta } from '../store/table-meta.js'
import { buildEntries, type RowChange } from './build-entries.js'

/**
 * What adapters call: it knows the configured tables, introspects them once, turns row
 * changes into entries and writes them on the connection it is given.
 */
export class AuditEngine {
  readonly options: ResolvedOptions
  readonly dialect: SqlDialect
  readonly database: SqlDatabase
  readonly #meta = new Map<string, Promise<TableMeta>>()
  #auditTable: Promise<void> | undefined

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
  async tableMeta(
    connection: SqlConnection,
    table: string,
    options: { readonly fresh?: boolean; readonly columns?: readonly string[] } = {},
  ): Promise<TableMeta> {
    const config = this.requireTable(table)
    await this.#checkAuditTable(connection)
    if (options.fresh) return loadTableMeta(connection, this.dialect, config)
    const cached = this.#meta.get(table)
    if (cached) {
      const meta = await cached
      if (!options.columns?.some((c) => !meta.columns.has(c))) return meta
      this.#meta.delete(table)
    }
    const meta = loadTableMeta(connection, this.dialect, config)
    this.#meta.set(table, meta)
    // A failed introspection (say, the table is created later) must not stick.
    meta.catch(() => this.#meta.delete(table))
    return meta
  }

  #defaultSchema: Promise<string> | undefined

  /**
   * True when `schema` is the one unqualified names resolve to (PostgreSQL's
   * `current_schema()`, MySQL's database): `public.users` is then the configured `users`.
   */
  async isDefaultSchema(connection: SqlConnection, schema: string): Promise<boolean> {
    this.#defaultSchema ??= connection
      .query<{ schema: string }>(this.dialect.currentSchemaSql, [])
      .then(({ rows }) => String(rows[0]?.schema))
    this.#defaultSchema.catch(() => {
      this.#defaultSchema = undefined
    })
    return (await this.#defaultSchema) === schema
  }

  #checkAuditTable(connection: SqlConnection): Promise<void> {
    if (!this.#auditTable) {
      const name = this.options.auditTable
      this.#auditTable = readColumns(connection, this.dialect, name).then((columns) => {
        if (columns.size === 0) throw missingAuditTable(name)
      })
      this.#auditTable.catch(() => {
        this.#auditTable = undefined
      })
    }
    return this.#auditTable
  }

  /** The context for entries written now: configured `context()` over `withAuditContext`. */
  currentContext(extra?: AuditContext): AuditContext {
    return assertContextFits(
      this.dialect,
      mergeAuditContext(getAuditContext(), this.options.context?.(), extra),
    )
  }

  /**
   * Writes the entries a change means, on `connection` (the change's own transaction).
   * Returns how many were written.
   */
  async record(
    connection: SqlConnection,
    change: RowChange,
    transactionId: string,
    extraContext?: AuditContext,
  ): Promise<number> {
    const meta = await this.tableMeta(connection, change.table)
    const entries = buildEntries(meta, change, {
      transactionId,
      createdAt: new Date(),
      context: this.currentContext(extraContext),
    })
    if (entries.length > 0) {
      await writeEntries(connection, this.dialect, this.options.auditTable, entries)
    }
    return entries.length
  }

  /** Writes an explicit event on `connection`, inside its transaction when it has one. */
  async recordEvent(
    connection: SqlConnection,
    event: AuditEvent,
    transactionId: string,
  ): Promise<void> {
    const entry = eventEntry(event, this.currentContext(), transactionId)
    await this.#checkAuditTable(connection)
    await writeEntries(connection, this.dialect, this.options.auditTable, [entry])
  }
}
