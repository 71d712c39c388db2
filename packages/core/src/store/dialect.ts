import { ChronicleError } from '../errors/chronicle-error.js'
import type { SqlBuilder } from './sql-builder.js'
import type { LimitedColumn, TextLimit } from './text-limits.js'

/** The databases Chronicle speaks. MariaDB uses `mysql`. */
export type DialectName = 'sqlite' | 'postgres' | 'mysql'

/** A statement ready to run: SQL text with dialect placeholders, and its values. */
export interface Statement {
  readonly sql: string
  readonly params: readonly unknown[]
}

/** A column as introspected from the live table. */
export interface ColumnInfo {
  readonly name: string
  /** Lower-cased database type name (`integer`, `jsonb`, `datetime`, …). */
  readonly type: string
  /** Filled by the database when omitted (serial, identity, auto_increment, rowid alias). */
  readonly generated: boolean
  /** Computed by the database (`GENERATED ALWAYS AS …`): recorded in snapshots, never written. */
  readonly computed: boolean
}

/**
 * What the database's own text of a column is, where the driver's value is not exact:
 * - `timestamp` / `timestamptz`: a date-time with all its fractional digits (the driver's
 *   `Date` keeps milliseconds), zone-less or in UTC;
 * - `json`: JSON text kept as written (a parse loses key order, spacing, escapes, big numbers);
 * - `jsonb`: JSON the database normalises, whose numbers are exact decimals;
 * - `text`: a value the driver parses into a form that cannot be written back (an interval).
 */
export type ExactKind = 'timestamp' | 'timestamptz' | 'json' | 'jsonb' | 'text'

/** How a column's exact text is read: `sql[0] <column> sql[1] <column> …`, and what it is. */
export interface ExactText {
  readonly sql: readonly string[]
  readonly kind: ExactKind
}

/**
 * Everything that differs between databases, in one place per dialect. Adapters never
 * hold dialect SQL: they pick one of these and hand it to core.
 */
export interface SqlDialect {
  readonly name: DialectName
  /** Bind parameters one statement may carry; chunking stays under it. */
  readonly maxParams: number
  /** `INSERT/UPDATE/DELETE … RETURNING` is available, saving a read per write. */
  readonly supportsReturning: boolean
  /**
   * Where {@link SqlDialect.supportsReturning} is false, the server may still return the rows
   * of some writes (MariaDB 10.5+: INSERT and single-table DELETE; MySQL: none). Asked once.
   */
  readonly partialReturning?: {
    /** Reads the server's version as `version`. */
    readonly versionSql: string
    operations(version: string): readonly ('insert' | 'delete')[]
  }
  /**
   * PostgreSQL: the element type of each audit table column, so that many entries are
   * inserted as one array per column (`unnest`) rather than a long VALUES list.
   */
  readonly auditArrayTypes?: Readonly<Record<string, string>>
  /** Appended to pre-reads so the rows cannot change before the write that follows. */
  readonly lockSuffix: string
  quote(identifier: string): string
  placeholder(index: number): string
  auditTableDdl(table: string): string[]
  /** The schema (MySQL: database) unqualified table names resolve to. */
  readonly currentSchemaSql: string
  columnsQuery(table: string): Statement
  uniqueKeysQuery(table: string): Statement
  /** SQL that reads `created_at` back in a form {@link SqlDialect.readTimestamp} parses. */
  selectTimestamp(column: string): string
  writeTimestamp(value: Date): unknown
  readTimestamp(value: unknown): Date
  /**
   * For a column of `type` whose driver value is not exact (fractional seconds beyond
   * milliseconds, JSON text, intervals), how to read the database's own text of it.
   */
  exactText(type: string): ExactText | undefined
  /** Encodes a value bound for `column` of `type` the way this dialect's driver accepts it. */
  encodeParam(value: unknown, type?: string): unknown
  /** SQL for the UTC day of week (0 = Sunday) and hour of a timestamp column. */
  dayOfWeek(column: string): string
  hourOfDay(column: string): string
  /** Bytes the given tables take, from the database's own size functions where it has them. */
  storageBytes(tables: readonly string[]): Statement
  /** After rows were inserted with explicit ids: move the id generator past them (null: automatic). */
  syncIdentity(table: string): Statement | null
  /**
   * Serialises sealers across connections. `null`: the database has one write lock (SQLite),
   * so a sealer must never hold it across an await, and it retries on {@link SqlDialect.isBusy}.
   */
  lockStatements(key: string): { lock: Statement; unlock: Statement | null } | null
  /** The table a driver's "no such table" error names (`undefined`: not such an error). */
  missingTable(error: unknown): string | undefined
  /**
   * Opens a transaction that may write, instead of the driver's plain BEGIN. SQLite's
   * `BEGIN IMMEDIATE` takes the write lock up front, waiting on the busy timeout; a deferred
   * transaction that read first fails at its first write, without waiting, whenever another
   * connection holds or has just committed a write.
   */
  readonly beginStatement?: string
  /** True for the error a statement gets when the write lock stayed taken past the busy timeout. */
  isBusy?(error: unknown): boolean
  /** The longest value each bounded audit column stores; a column not listed is unbounded. */
  readonly textLimits: Readonly<Partial<Record<LimitedColumn, TextLimit>>>
  /** Appends a condition true when the (quoted) `column` starts with the literal `prefix`. */
  prefixMatch(sql: SqlBuilder, column: string, prefix: string): void
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]*$/

/** Whether `name` is a plain identifier, or `schema.table` of two: what configuration accepts as a table. */
export function isTableName(name: unknown): name is string {
  if (typeof name !== 'string') return false
  const parts = name.split('.')
  return parts.length <= 2 && parts.every((part) => IDENTIFIER.test(part) && part.length <= 63)
}

/**
 * Identifiers come from configuration, never from end users, but a quote or semicolon in
 * one is always a mistake: reject it instead of escaping it into something surprising.
 */
export function assertIdentifier(identifier: string, what: string): string {
  if (typeof identifier !== 'string' || !IDENTIFIER.test(identifier) || identifier.length > 63) {
    throw new ChronicleError(
      'INVALID_IDENTIFIER',
      `${what} ${JSON.stringify(identifier)} is not a valid identifier: use letters, digits and underscores, starting with a letter or underscore`,
    )
  }
  return identifier
}

/**
 * Quotes a name that may be schema-qualified (`schema.table`), each part validated. Column
 * names never contain a dot (configuration rejects it), so only table names can qualify.
 */
export function quoteQualified(name: string, quotePart: (part: string) => string): string {
  const parts = typeof name === 'string' ? name.split('.') : [name]
  if (parts.length > 2) assertIdentifier(name, 'identifier')
  return parts.map((part) => quotePart(assertIdentifier(part, 'identifier'))).join('.')
}

/** `schema.table` → its parts; an unqualified name has schema `null` (the connection's default). */
export function splitTableName(name: string): { schema: string | null; table: string } {
  const dot = name.indexOf('.')
  return dot < 0
    ? { schema: null, table: name }
    : { schema: name.slice(0, dot), table: name.slice(dot + 1) }
}

/**
 * The table named by `pattern`'s first group in the message of an error that `matches`
 * (drivers report a missing table by code, and name it only in the message).
 */
export function tableInError(
  error: unknown,
  matches: (error: { code?: unknown; errno?: unknown }) => boolean,
  pattern: RegExp,
): string | undefined {
  if (!(error instanceof Error) || !matches(error as { code?: unknown; errno?: unknown })) {
    return undefined
  }
  return pattern.exec(error.message)?.[1]
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}
