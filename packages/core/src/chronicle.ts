import { AuditEngine } from './capture/audit-engine.js'
import {
  type ChronicleOptions,
  type ResolvedOptions,
  resolveOptions,
  type TableRows,
} from './config/options.js'
import type { AuditEntry } from './entry/audit-entry.js'
import { ChronicleError } from './errors/chronicle-error.js'
import { findEntry } from './query/find-entry.js'
import { encodeCursor, type LogsFilter, logsQuery } from './query/logs.js'
import { TableRepo } from './query/table-repo.js'
import { stateAfter, type VersionDiff, versionDiff } from './query/version-diff.js'
import { type RestoreOptions, type RestoreResult, restoreEntry } from './restore/restore.js'
import type { SqlDatabase } from './store/connection.js'
import type { DialectName } from './store/dialect.js'
import { getDialect } from './store/dialects/index.js'
import { readStoredEntry, toAuditEntry } from './store/entry-store.js'

/** A page of entries, newest first. */
export interface LogsPage {
  readonly items: AuditEntry[]
  /** Pass as `cursor` for the next page; `null` on the last page. */
  readonly nextCursor: string | null
}

/**
 * The audit trail's query API, the same for every adapter. An adapter's `auditPlugin()`
 * returns a subclass that also knows how to attach to its ORM.
 */
export class Chronicle<Tables extends TableRows = TableRows> {
  readonly #options: ResolvedOptions
  #engine: AuditEngine | undefined

  constructor(options: ChronicleOptions<Tables>) {
    this.#options = resolveOptions(options as ChronicleOptions<TableRows>)
  }

  /** Connects the query API (and the adapter's capture) to a database; once per instance. */
  protected attachDatabase(dialect: DialectName, database: SqlDatabase): AuditEngine {
    if (this.#engine) {
      throw new ChronicleError(
        'UNSUPPORTED',
        'this audit instance is already attached to a database: call auditPlugin() once per database',
      )
    }
    this.#engine = new AuditEngine(this.#options, getDialect(dialect), database)
    return this.#engine
  }

  /** The engine adapters capture through. */
  protected get engine(): AuditEngine {
    if (!this.#engine) {
      throw new ChronicleError('UNSUPPORTED', 'attach the audit to a database before querying it')
    }
    return this.#engine
  }

  /**
   * Entries matching `filter`, newest first, a page at a time.
   *
   * ### Examples
   * ```ts
   * const page = await audit.logs({ table: 'users', action: 'UPDATE', limit: 20 })
   * const next = await audit.logs({ table: 'users', action: 'UPDATE', cursor: page.nextCursor })
   * await audit.logs({ action: 'billing' })   // every billing.* event
   * ```
   */
  async logs(filter: LogsFilter = {}): Promise<LogsPage> {
    const { dialect, database, options } = this.engine
    const { statement, limit } = logsQuery(dialect, options.auditTable, filter)
    const { rows } = await database.query(statement.sql, statement.params)
    const items = rows
      .slice(0, limit)
      .map((row) => toAuditEntry<Record<string, unknown>>(readStoredEntry(dialect, row)))
    const last = items.at(-1)
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null }
  }

  /** One entry by id; NOT_FOUND when there is none. */
  async entry(auditId: number): Promise<AuditEntry> {
    return toAuditEntry<Record<string, unknown>>(await findEntry(this.engine, auditId))
  }

  /**
   * The audit trail of one table, typed with its row.
   *
   * ### Examples
   * ```ts
   * const users = audit.table('users')
   * await users.history(1)                      // AuditEntry<User>[]
   * await users.stateAt(1, { auditId: 41 })     // User | null
   * await users.diff(1, { from: 41 })           // from entry 41 to the current row
   * ```
   */
  table<T extends keyof Tables & string>(name: T): TableRepo<Tables[T]> {
    return new TableRepo<Tables[T]>(this.engine, name)
  }

  /** The row versions after two entries, and an RFC 6902 patch from the first to the second. */
  async compare(auditIdA: number, auditIdB: number): Promise<VersionDiff> {
    const [a, b] = [await findEntry(this.engine, auditIdA), await findEntry(this.engine, auditIdB)]
    return versionDiff(stateAfter(a), stateAfter(b))
  }

  /**
   * Puts one row back as it was before (or after) an entry, in one transaction; the restore
   * is audited with `metadata.restoredFrom`.
   *
   * ### Examples
   * ```ts
   * const preview = await audit.restore(42, { dryRun: true })  // { changes: [{ field, from, to }], applied: false }
   * await audit.restore(42)                                    // undo entry 42
   * ```
   */
  restore(auditId: number, options?: RestoreOptions): Promise<RestoreResult> {
    return restoreEntry(this.engine, auditId, options)
  }
}
