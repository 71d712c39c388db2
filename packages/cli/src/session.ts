import { Chronicle, type ChronicleOptions, type TableOptions } from '@chronicle/core'
import { getDialect, isTableName, translateDriverError } from '@chronicle/core/adapter'
import type { CliConfig } from './config.js'
import { type DatabaseTarget, parseDatabaseUrl } from './connection/database-url.js'
import { type OpenDatabase, openDatabase } from './connection/open-database.js'
import { usageError } from './errors.js'

/** Rows as the CLI sees them: any table, any columns. */
type AnyRows = Record<string, Record<string, unknown>>

/** The query API attached to a database the CLI connected itself, without an ORM. */
class CliChronicle extends Chronicle<AnyRows> {
  constructor(options: ChronicleOptions<AnyRows>, open: OpenDatabase) {
    super(options)
    this.attachDatabase(open.dialect, open.database)
  }
}

/** The flags every command shares. */
export interface ConnectionFlags {
  readonly db?: string
  readonly auditTable?: string
}

/** Where to connect: `--db`, then `CHRONICLE_DB`, then the config file's `db`. */
export function resolveTarget(flags: ConnectionFlags, config: CliConfig): DatabaseTarget {
  const url = flags.db ?? process.env.CHRONICLE_DB ?? config.db
  if (url === undefined || url === '') {
    throw usageError(
      'no database given: pass --db <url> (./app.db, postgres://…, mysql://…), set CHRONICLE_DB, or name it as db in chronicle.config',
    )
  }
  return parseDatabaseUrl(url)
}

/** One command's connection, and audit instances over it. */
export class Session {
  readonly open: OpenDatabase
  readonly auditTable: string
  readonly #tables: Readonly<Record<string, TableOptions | undefined>>

  private constructor(open: OpenDatabase, config: CliConfig, flags: ConnectionFlags) {
    this.open = open
    this.auditTable = flags.auditTable ?? config.auditTable ?? 'audit_logs'
    this.#tables = config.tables ?? {}
  }

  static async connect(
    flags: ConnectionFlags,
    config: CliConfig,
    options: { create?: boolean } = {},
  ): Promise<Session> {
    return new Session(await openDatabase(resolveTarget(flags, config), options), config, flags)
  }

  /**
   * The query API, knowing the config file's tables plus `tables` (with default settings:
   * primary key `id`), so history, diff and restore work on tables the config does not name.
   */
  audit(...tables: string[]): Chronicle<AnyRows> {
    const extra: Record<string, TableOptions> = Object.fromEntries(tables.map((t) => [t, {}]))
    return new CliChronicle(
      { tables: { ...extra, ...this.#tables }, auditTable: this.auditTable },
      this.open,
    )
  }

  /**
   * The tables whose row changes the audit trail holds (event targets left out), for
   * {@link Session.audit} to read any of them; names no table could have are skipped.
   */
  async trailTables(): Promise<string[]> {
    const dialect = getDialect(this.open.dialect)
    const q = dialect.quote
    try {
      const { rows } = await this.open.database.query<{ name: unknown }>(
        `SELECT DISTINCT ${q('table_name')} AS ${q('name')} FROM ${q(this.auditTable)} WHERE ${q('action')} IN ('INSERT', 'UPDATE', 'DELETE')`,
        [],
      )
      return rows
        .map((row) => row.name)
        .filter(isTableName)
        .sort()
    } catch (error) {
      throw translateDriverError(error, dialect, this.auditTable)
    }
  }

  /** The columns the config redacts in `table`. */
  redacted(table: string): readonly string[] {
    return this.#tables[table]?.redact ?? []
  }

  close(): Promise<void> {
    return this.open.close()
  }
}
