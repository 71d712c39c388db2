import { AuditEngine } from './capture/audit-engine.js'
import {
  type ChronicleOptions,
  type ResolvedOptions,
  resolveOptions,
  type TableRows,
} from './config/options.js'
import type { AuditEntry } from './entry/audit-entry.js'
import type { AuditEvent } from './entry/audit-event.js'
import { ChronicleError } from './errors/chronicle-error.js'
import { guardApiCall, guardApiStream } from './errors/driver-error.js'
import { exportJsonl, storedEntries } from './export/export-entries.js'
import { type ImportResult, importJsonl } from './export/import-entries.js'
import { type SealOptions, type SealResult, sealEntries } from './integrity/seal.js'
import { type VerifyOptions, type VerifyResult, verifyChain } from './integrity/verify.js'
import { findEntry } from './query/find-entry.js'
import type { EntryFilter } from './query/logs.js'
import { encodeCursor, type LogsFilter, logsQuery } from './query/logs.js'
import { type AuditStats, auditStats, type StatsFilter } from './query/stats.js'
import { TableRepo } from './query/table-repo.js'
import { stateAfter, type VersionDiff, versionDiff } from './query/version-diff.js'
import { type RestoreOptions, type RestoreResult, restoreEntry } from './restore/restore.js'
import {
  type RevertOptions,
  type RevertResult,
  revertTransaction,
} from './restore/revert-transaction.js'
import { type CleanupOptions, type CleanupResult, cleanupEntries } from './retention/cleanup.js'
import type { SqlDatabase } from './store/connection.js'
import type { DialectName } from './store/dialect.js'
import { getDialect } from './store/dialects/index.js'
import { readStoredEntry, toAuditEntry } from './store/entry-store.js'

/** A page of entries, newest first. */
export interface LogsPage<Entry = AuditEntry> {
  readonly items: Entry[]
  /** Pass as `cursor` for the next page; `null` on the last page. */
  readonly nextCursor: string | null
}

/**
 * The entries of table `T`: typed with its row when the tables are typed (`auditPlugin<DB>`),
 * plain records when they are not.
 */
export type TableEntry<Tables extends TableRows, T extends keyof Tables> = AuditEntry<
  TableRow<Tables, T>
>

/** Table `T`'s row when the tables are typed, else a plain record. */
export type TableRow<Tables extends TableRows, T extends keyof Tables> = string extends keyof Tables
  ? Record<string, unknown>
  : Tables[T]

/** `entry`, checked to be about `table` when one is named. */
function entryOfTable<E extends { readonly id: number; readonly tableName: string | null }>(
  entry: E,
  table: string | undefined,
): E {
  if (table !== undefined && entry.tableName !== table) {
    throw new ChronicleError(
      'INVALID_FILTER',
      `audit entry ${entry.id} is about ${JSON.stringify(entry.tableName)}, not ${JSON.stringify(table)}`,
      { table, auditId: entry.id },
    )
  }
  return entry
}

/**
 * The audit trail's query API, the same for every adapter. An adapter's `auditPlugin()`
 * returns a subclass that also knows how to attach to its ORM.
 */
export class Chronicle<Tables extends TableRows = TableRows> {
  #options: ResolvedOptions
  #engine: AuditEngine | undefined

  constructor(options: ChronicleOptions<Tables>) {
    this.#options = resolveOptions(options as ChronicleOptions<TableRows>)
  }

  /**
   * Connects the query API (and the adapter's capture) to a database; once per instance.
   * `options` replaces the constructor's, for adapters that learn database names only once
   * attached (Prisma's model names map to tables through the client's schema).
   */
  protected attachDatabase(
    dialect: DialectName,
    database: SqlDatabase,
    options?: ChronicleOptions<TableRows>,
  ): AuditEngine {
    if (this.#engine) {
      throw new ChronicleError(
        'UNSUPPORTED',
        'this audit instance is already attached to a database: call auditPlugin() once per database',
      )
    }
    if (options) this.#options = resolveOptions(options)
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
   * Runs one API call: whatever it throws is a ChronicleError (a missing audit table as
   * MISSING_AUDIT_TABLE, any other database failure as DATABASE_ERROR with `cause`).
   */
  protected async guard<T>(work: (engine: AuditEngine) => Promise<T>): Promise<T> {
    const engine = this.engine
    return guardApiCall(engine, () => work(engine))
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
   *
   * With typed tables, `table` must name an audited table (`'userz'` does not compile) and the
   * entries are typed with its row; an event's target type is filtered with `targetType`.
   */
  logs(filter?: LogsFilter & { readonly table?: undefined }): Promise<LogsPage>
  logs<T extends keyof Tables & string>(
    filter: LogsFilter & { readonly table?: T },
  ): Promise<LogsPage<TableEntry<Tables, T>>>
  logs(filter: LogsFilter = {}): Promise<LogsPage<unknown>> {
    return this.guard(async ({ dialect, database, options }) => {
      const { statement, limit } = logsQuery(dialect, options.auditTable, filter)
      const { rows } = await database.query(statement.sql, statement.params)
      const items = rows
        .slice(0, limit)
        .map((row) =>
          toAuditEntry<Record<string, unknown>>(
            readStoredEntry(dialect, row),
            database.zonelessTimestamps,
          ),
        )
      const last = items.at(-1)
      return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null }
    })
  }

  /**
   * One entry by id; NOT_FOUND when there is none. With `{ table }` it is typed with that
   * table's row, and an entry about another table is INVALID_FILTER.
   */
  entry(auditId: number): Promise<AuditEntry>
  entry<T extends keyof Tables & string>(
    auditId: number,
    options: { readonly table: T },
  ): Promise<TableEntry<Tables, T>>
  entry(auditId: number, options?: { readonly table: string }): Promise<unknown> {
    return this.guard(async (engine) =>
      toAuditEntry<Record<string, unknown>>(
        entryOfTable(await findEntry(engine, auditId), options?.table),
        engine.database.zonelessTimestamps,
      ),
    )
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

  /**
   * The row versions after two entries, and an RFC 6902 patch from the first to the second.
   * With `{ table }` the versions are typed with that table's row, and an entry about another
   * table is INVALID_FILTER.
   */
  compare(auditIdA: number, auditIdB: number): Promise<VersionDiff>
  compare<T extends keyof Tables & string>(
    auditIdA: number,
    auditIdB: number,
    options: { readonly table: T },
  ): Promise<VersionDiff<TableRow<Tables, T>>>
  compare(
    auditIdA: number,
    auditIdB: number,
    options?: { readonly table: string },
  ): Promise<unknown> {
    return this.guard(async (engine) => {
      const [a, b] = [
        entryOfTable(await findEntry(engine, auditIdA), options?.table),
        entryOfTable(await findEntry(engine, auditIdB), options?.table),
      ]
      return versionDiff(stateAfter(a), stateAfter(b), engine.database.zonelessTimestamps)
    })
  }

  /**
   * Puts one row back as it was before (or after) an entry, in one transaction; the restore
   * is audited with `metadata.restoredFrom`. It changes exactly that one row or nothing:
   * when its statement would change another number of rows (a trigger skipped it, say),
   * it fails with CONFLICT and rolls back.
   *
   * ### Examples
   * ```ts
   * const preview = await audit.restore(42, { dryRun: true })  // { changes: [{ field, from, to }], applied: false }
   * await audit.restore(42)                                    // undo entry 42
   * ```
   */
  restore(auditId: number, options?: RestoreOptions): Promise<RestoreResult> {
    return this.guard((engine) => restoreEntry(engine, auditId, options))
  }

  /**
   * Records an explicit event. Without a transaction it is written on its own; adapters
   * also accept `{ tx }` to write it inside one.
   *
   * ### Examples
   * ```ts
   * await audit.log({ action: 'billing.plan.changed', targetType: 'organization', targetId: org.id, metadata: { planId } })
   * // audit_logs row: action 'billing.plan.changed', table_name 'organization', entity_id '7'
   * ```
   */
  log(event: AuditEvent): Promise<void> {
    return this.guard((engine) => engine.recordEvent(engine.database, event))
  }

  /**
   * Aggregates computed by the database: totals by action, table and actor, the busiest
   * day and hour (UTC), and the storage the audit trail takes.
   */
  stats(filter: StatsFilter = {}): Promise<AuditStats> {
    return this.guard((engine) => auditStats(engine, filter))
  }

  /**
   * Deletes old entries in batches (a large cleanup never holds one long lock), keeping
   * `verify` true. Returns what was (or, with `dryRun`, would be) deleted per table.
   *
   * ### Examples
   * ```ts
   * await audit.cleanup({ keepDays: 90, dryRun: true })   // { deleted: 9257, byTable: { users: 2345, … } }
   * await audit.cleanup({ before: '2026-01-01', table: 'sessions' })
   * ```
   */
  cleanup(options: CleanupOptions): Promise<CleanupResult> {
    return this.guard((engine) => cleanupEntries(engine, options))
  }

  /**
   * Streams entries oldest first, a page at a time: constant memory for any size.
   *
   * ### Examples
   * ```ts
   * for await (const entry of audit.export({ table: 'users', since: '2026-01-01' })) archive(entry)
   * ```
   */
  export(filter?: EntryFilter & { readonly table?: undefined }): AsyncGenerator<AuditEntry>
  export<T extends keyof Tables & string>(
    filter: EntryFilter & { readonly table?: T },
  ): AsyncGenerator<TableEntry<Tables, T>>
  async *export(filter: EntryFilter = {}): AsyncGenerator<unknown> {
    const engine = this.engine
    for await (const entry of guardApiStream(engine, storedEntries(engine, filter))) {
      yield toAuditEntry(entry, engine.database.zonelessTimestamps)
    }
  }

  /**
   * Writes matching entries to `writable` as JSON Lines, honouring backpressure, then ends
   * it: the promise resolves once every line is flushed (`'finish'`), so the file is complete
   * when it does. Each line is the entry as stored, so `importJsonl` brings it back
   * losslessly. Returns the count. A failing stream rejects with STREAM_ERROR; on any
   * failure the stream is destroyed. `process.stdout` is ended too: to keep it open, pipe a
   * `PassThrough` into it with `{ end: false }` and pass that.
   *
   * ### Examples
   * ```ts
   * await audit.exportJsonl({ since: '2026-01-01' }, createWriteStream('audit.jsonl'))
   * // audit.jsonl is complete here: {"id":1,"createdAt":"2026-01-01T09:00:00.000Z",…}\n…
   * ```
   */
  exportJsonl(filter: EntryFilter, writable: NodeJS.WritableStream): Promise<number> {
    return this.guard((engine) => exportJsonl(engine, filter, writable))
  }

  /**
   * Imports JSON Lines written by {@link Chronicle.exportJsonl}, ids and hashes unchanged,
   * in one transaction. Entries already present (same id, same hash) are skipped and
   * counted, so importing a file twice is harmless; an id present with another hash is a
   * CONFLICT and nothing is imported.
   *
   * ### Examples
   * ```ts
   * await audit.importJsonl(createReadStream('audit.jsonl'))   // { imported: 3, skipped: 0 }
   * await audit.importJsonl(createReadStream('audit.jsonl'))   // { imported: 0, skipped: 3 }
   * ```
   */
  importJsonl(
    source: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
  ): Promise<ImportResult> {
    return this.guard((engine) => importJsonl(engine, source))
  }

  /**
   * Chains committed entries into the integrity chain. Writers never wait for it; run it on
   * a schedule (or before `verify`). Safe to run from several processes.
   */
  seal(options?: SealOptions): Promise<SealResult> {
    return this.guard((engine) => sealEntries(engine, options))
  }

  /**
   * Checks the chain and every entry's hash; names each broken entry (`edited`, `deleted`,
   * `reordered`, `inserted`, `chain`). Entries not sealed yet are checked for edits only.
   * With `head` (a digest `seal` returned, kept outside the database), it also fails unless
   * the chain still passes through it: that is what detects a chain rewritten end to end.
   *
   * ### Examples
   * ```ts
   * const { head } = await audit.seal()            // store head somewhere the database cannot reach
   * await audit.verify({ head })                   // { ok: true, headFound: true, broken: [], … }
   * ```
   */
  verify(options: VerifyOptions = {}): Promise<VerifyResult> {
    return this.guard((engine) => verifyChain(engine, options))
  }

  /**
   * Undoes every row change of one transaction in one new transaction, newest first;
   * CONFLICT if a row changed since, unless `force`, or if undoing one change would not
   * change exactly its one row (then nothing is changed). Audited with `metadata.revertOf`.
   * `dryRun` reports the same result (or the same CONFLICT) and writes nothing.
   *
   * ### Examples
   * ```ts
   * const preview = await audit.revertTransaction(txId, { dryRun: true })  // { reverted: [...], applied: false }
   * await audit.revertTransaction(txId)                                     // { reverted: [...], applied: true }
   * ```
   */
  revertTransaction(transactionId: string, options?: RevertOptions): Promise<RevertResult> {
    return this.guard((engine) => revertTransaction(engine, transactionId, options))
  }
}
