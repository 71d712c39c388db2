import type { AuditContext } from '../context/audit-context.js'
import { ChronicleError } from '../errors/chronicle-error.js'
import { assertIdentifier } from '../store/dialect.js'

/** Per-table settings. Column names are typed from your schema by each adapter. */
export interface TableOptions<Column extends string = string> {
  /**
   * Primary key column(s); entries are keyed by it.
   * @default 'id'
   */
  readonly primaryKey?: Column | readonly Column[]
  /** An UPDATE that changes only these columns writes no entry; they stay in snapshots. */
  readonly ignore?: readonly Column[]
  /** Stored as `"[REDACTED]"` in every snapshot and diff; never restored. */
  readonly redact?: readonly Column[]
}

/** Maps each table name to its row type, e.g. `{ users: { id: number; email: string } }`. */
export type TableRows = Record<string, object>

/** A row's column names; any name when the row type is not known (`object`). */
type ColumnOf<Row> = [keyof Row] extends [never] ? string : keyof Row & string

/** Configuration shared by every adapter. */
export interface ChronicleOptions<Tables extends TableRows = TableRows> {
  /** Only these tables are audited; writes to others pass through untouched. */
  readonly tables: {
    readonly [T in keyof Tables & string]?: TableOptions<ColumnOf<Tables[T]>>
  }
  /**
   * Where entries go.
   * @default 'audit_logs'
   */
  readonly auditTable?: string
  /** Context for every entry, merged over {@link withAuditContext}'s (its defined fields win). */
  readonly context?: () => AuditContext | undefined
  /**
   * When a write inside the user's transaction stores its entries. `'per-write'` inserts
   * them with the write, so an audit failure fails that write. `'at-commit'` keeps them
   * on the transaction and inserts them all just before COMMIT, in as few statements as
   * the bind limit allows (one statement less per write): an audit failure then fails
   * the COMMIT, which rolls back, and SQL inside the transaction does not see its
   * entries before it commits. Standalone writes are unchanged either way.
   *
   * ### Examples
   * ```ts
   * const audit = auditPlugin<DB>({ tables: { users: {} }, entries: 'at-commit' })
   * ```
   * @default 'per-write'
   */
  readonly entries?: 'per-write' | 'at-commit'
}

/** A table's settings, validated and frozen. */
export interface ResolvedTable {
  readonly name: string
  readonly primaryKey: readonly string[]
  readonly ignore: ReadonlySet<string>
  readonly redact: ReadonlySet<string>
}

export interface ResolvedOptions {
  readonly tables: ReadonlyMap<string, ResolvedTable>
  readonly auditTable: string
  readonly context: (() => AuditContext | undefined) | undefined
  readonly entries: 'per-write' | 'at-commit'
}

const asList = (value: string | readonly string[] | undefined, fallback: string[]) =>
  value === undefined ? fallback : typeof value === 'string' ? [value] : [...value]

/** Validates options once; every identifier is checked here, before any SQL exists. */
export function resolveOptions(options: ChronicleOptions<TableRows>): ResolvedOptions {
  if (options === null || typeof options !== 'object' || typeof options.tables !== 'object') {
    throw new ChronicleError(
      'UNKNOWN_TABLE',
      'options.tables is required: name the tables to audit',
    )
  }
  const tables = new Map<string, ResolvedTable>()
  for (const [name, table] of Object.entries(options.tables)) {
    // `schema.table` names a table outside the connection's default schema.
    for (const part of name.split('.').slice(-2)) assertIdentifier(part, 'table name')
    if (name.split('.').length > 2) assertIdentifier(name, 'table name')
    const settings: TableOptions = table ?? {}
    const primaryKey = asList(settings.primaryKey, ['id'])
    if (primaryKey.length === 0) {
      throw new ChronicleError('MISSING_PRIMARY_KEY', `table "${name}": primaryKey is empty`, {
        table: name,
      })
    }
    for (const column of [...primaryKey, ...(settings.ignore ?? []), ...(settings.redact ?? [])]) {
      assertIdentifier(column, `column of table "${name}"`)
    }
    tables.set(
      name,
      Object.freeze({
        name,
        primaryKey: Object.freeze(primaryKey),
        ignore: new Set(settings.ignore ?? []),
        redact: new Set(settings.redact ?? []),
      }),
    )
  }
  return Object.freeze({
    tables,
    auditTable: assertIdentifier(options.auditTable ?? 'audit_logs', 'auditTable'),
    context: options.context,
    entries: resolveEntries(options.entries),
  })
}

function resolveEntries(value: unknown): ResolvedOptions['entries'] {
  if (value === undefined) return 'per-write'
  if (value === 'per-write' || value === 'at-commit') return value
  throw new ChronicleError(
    'UNSUPPORTED',
    `options.entries must be 'per-write' or 'at-commit', not ${JSON.stringify(value)}`,
  )
}
