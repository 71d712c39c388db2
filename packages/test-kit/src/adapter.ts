import type { AuditEvent, Chronicle, ChronicleOptions } from '@chronicle/core'
import type { DatabaseKind, TestDatabase } from './databases.js'
import type { TestTables } from './schema.js'

export type Row = Record<string, unknown>
export type TableName = keyof TestTables & string

/** A condition per column: a value (=), or one of these operators. */
export type Where = Record<
  string,
  unknown | { in: readonly unknown[] } | { gt: number } | { lt: number }
>
/** New values; `{ increment: n }` adds to the current value in SQL. */
export type Set = Record<string, unknown | { increment: number }>

/** The client's audit for tables a suite creates beyond {@link TestTables}: rows are untyped. */
export const untyped = (client: AuditedClient): Chronicle => client.audit as unknown as Chronicle

/**
 * What every adapter offers the contract suites: ORM-neutral writes, run through the ORM
 * with auditing attached. Each adapter's test folder implements it in one small file.
 */
export interface AuditedClient {
  readonly audit: Chronicle<TestTables>
  insert(table: TableName, rows: readonly Row[]): Promise<void>
  /** Insert with the ORM's RETURNING form (where the database has none, the ORM's equivalent). */
  insertReturning(table: TableName, rows: readonly Row[]): Promise<Row[]>
  update(table: TableName, where: Where, set: Set): Promise<number>
  delete(table: TableName, where: Where): Promise<number>
  /** Insert, or on a `conflict` key clash update `update` columns to the new values. */
  upsert(
    table: TableName,
    rows: readonly Row[],
    conflict: readonly string[],
    update: readonly string[],
  ): Promise<void>
  /** Insert, skipping rows whose `conflict` key exists. */
  insertIgnore(table: TableName, rows: readonly Row[], conflict: readonly string[]): Promise<void>
  select(table: TableName, where?: Where): Promise<Row[]>
  /** `audit.log(event)`; inside {@link AuditedClient.transaction}, written in that transaction. */
  log(event: AuditEvent): Promise<void>
  /** Runs `work` in one ORM transaction; it rolls back if `work` throws. */
  transaction<T>(work: (tx: AuditedClient) => Promise<T>): Promise<T>
  /** Inside a transaction: runs `work` in a savepoint, rolled back if it throws. */
  savepoint<T>(work: (tx: AuditedClient) => Promise<T>): Promise<T>
  destroy(): Promise<void>
}

/**
 * How the client's driver is set up, beyond the audit options. PostgreSQL and MariaDB
 * clients connect through `db.pgPool(settings)` / `db.mysqlPool(settings)`.
 */
export interface ClientSettings {
  /**
   * Ask the driver for exact integers beyond 2^53: better-sqlite3 `defaultSafeIntegers(true)`,
   * mysql2 `supportBigNumbers` + `bigNumberStrings` (pg gives int8 as text already).
   */
  readonly exactIntegers?: boolean
  /** Sessions run at READ COMMITTED (PostgreSQL's default; MariaDB defaults to REPEATABLE READ). */
  readonly readCommitted?: boolean
  /**
   * Sessions run in this time zone: PostgreSQL `TimeZone` (a zone name), MariaDB `time_zone`
   * (an offset such as `+05:30`).
   */
  readonly timeZone?: string
  /** mysql2 `dateStrings`: DATETIME, TIMESTAMP and DATE values as the database's text. */
  readonly dateStrings?: boolean
  /**
   * Awaited before each statement the client sends to the database (audit statements and
   * transaction control included), so a test can run other work between two statements.
   * A factory calls it under the ORM, on the driver's own connection; `setUp` wires it to
   * `db.hooks` unless a test passes its own.
   */
  readonly beforeQuery?: (sql: string) => Promise<void> | void
}

export interface AdapterFactory {
  /** Appears first in every test name: `kysely:postgres …`. */
  readonly name: string
  /**
   * True where the ORM's upsert is a read followed by an INSERT or an UPDATE rather than one
   * statement (Prisma on MySQL/MariaDB): an insert racing it fails the ORM's own INSERT, so
   * the tests of a raced single-statement upsert do not apply there.
   */
  emulatesUpsert?(kind: DatabaseKind): boolean
  /**
   * Databases on which the ORM's transactions are synchronous (Drizzle on better-sqlite3):
   * nothing else can run on the connection while one is open, so the tests that interleave
   * other work into an open transaction on the same connection do not apply there.
   */
  readonly synchronousTransactions?: readonly DatabaseKind[]
  /**
   * Driver settings the tests ask for (`ClientSettings`) that the adapter's driver layer fixes
   * itself, per database (Prisma's MariaDB adapter reads big integers exactly and dates as
   * `Date`s always): the tests of the driver's other behaviour do not apply there.
   */
  readonly fixedDriverSettings?: Partial<
    Record<DatabaseKind, readonly ('exactIntegers' | 'dateStrings')[]>
  >
  /**
   * How SQLite integers within 2^53 come back with `exactIntegers`: `bigint` (default:
   * better-sqlite3 with safe integers gives every integer so) or `number` (Prisma's adapter
   * gives a bigint only beyond 2^53).
   */
  readonly safeIntegers?: 'bigint' | 'number'
  /**
   * Databases whose sessions must run in UTC for the ORM to read `timestamptz` right
   * (`@prisma/adapter-pg` swaps the session's offset for `+00:00`, prisma/orm#26786): the
   * type matrix runs there with the session in UTC, Node's zone still elsewhere.
   */
  readonly utcSessions?: readonly DatabaseKind[]
  /**
   * Columns of the type matrix (`types` suite) the adapter cannot read at all, per database,
   * each with the reason: left out of the round trip, and reported as a skipped test each.
   */
  readonly unreadableColumns?: Partial<Record<DatabaseKind, Readonly<Record<string, string>>>>
  create(
    db: TestDatabase,
    options: ChronicleOptions<TestTables>,
    settings?: ClientSettings,
  ): Promise<AuditedClient>
}
