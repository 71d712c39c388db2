import type { ExactRead } from '../entry/exact-values.js'
import type { SqlConnection } from '../store/connection.js'
import type { Statement } from '../store/dialect.js'
import type { SyncSqlConnection, TransactionControl } from '../store/steps.js'

/** What a write does to its target's rows. */
export type WriteOperation = 'insert' | 'update' | 'delete'

/** A column value in an INSERT: known when it is a plain value, unknown for expressions. */
export type InsertValue =
  | { readonly known: true; readonly value: unknown }
  | { readonly known: false }

/** Rows whose `columns` equal one of `tuples`. */
export interface KeySet {
  readonly columns: readonly string[]
  readonly tuples: readonly (readonly unknown[])[]
}

/**
 * Rows whose `columns` are among the rows `select` gives: a complete SQL text (no
 * parameters) that core hands over, to be printed as `(<target>.<c1>, …) IN (<select>)`.
 */
export interface KeySelect {
  readonly columns: readonly string[]
  readonly select: string
}

/**
 * A form of the user's write that core asks the adapter to print, in the connection's
 * dialect, parameters included. Core decides which forms run, in which order.
 *
 * - `select`: `SELECT <target>.*` (then the `exact` reads) over the write's own FROM/USING,
 *   joins, WHERE, ORDER BY and LIMIT (UPDATE and DELETE only); with `lock`, followed by the
 *   dialect's lock suffix (`FOR UPDATE`, locking only the target where the database allows
 *   naming it).
 * - `write`: the statement itself, changed only as asked:
 *   - `returning`: RETURNING `<target>.*`, then the `exact` reads, then each of the user's
 *     own selections (if any) aliased `__chronicle_u<i>` (see {@link WriteDescription.userReturning}), then, with
 *     `inserted` (PostgreSQL upserts), `(xmax = 0) AS __chronicle_inserted`;
 *   - `keys`: its WHERE also requires the target's key to be in the set, so it writes no row
 *     the locked pre-read did not see (an empty set matches nothing); a {@link KeySelect}
 *     names the set by a subquery instead of values.
 *
 * `exact` lists columns whose driver value is not exact (microseconds, JSON text,
 * intervals): each is printed as `sql[0] <target>.<column> sql[1] <target>.<column> …`
 * aliased `__chronicle_x<i>` (`i`: its index), so snapshots hold the database's own text.
 */
export type WriteVariant =
  | { readonly kind: 'select'; readonly lock: boolean; readonly exact?: readonly ExactRead[] }
  | {
      readonly kind: 'write'
      readonly returning: boolean
      readonly inserted?: boolean
      readonly keys?: KeySet | KeySelect
      readonly exact?: readonly ExactRead[]
    }

/** One of the user's RETURNING selections: an output column name, or the target's `*`. */
export type UserSelection = { readonly name: string } | { readonly all: true }

/**
 * What an adapter tells core about one write to an audited table, translated from its ORM.
 * Core runs the capture protocol over it: which statements, in which order, the entries,
 * and the transaction guard. Adapters hold no capture logic beyond this translation.
 */
export interface WriteDescription {
  /** The audited table, as configured. */
  readonly table: string
  /**
   * The schema the statement names, when `table` is configured unqualified: the write is
   * audited only if that is the connection's default schema, else it runs untouched.
   */
  readonly schema?: string
  readonly operation: WriteOperation
  /**
   * DELETE that names other tables than its target (USING, joins): MariaDB returns rows only
   * from a single-table DELETE, so core reads them first there instead.
   */
  readonly multiTable?: boolean
  /** UPDATE: the columns it assigns (an audited key may not be among them). */
  readonly assigns?: readonly string[]
  /**
   * INSERT: each row's values by column where the statement gives them, `null` for
   * INSERT … SELECT. Keys and conflict lookups are read from it.
   */
  readonly rows?: readonly ReadonlyMap<string, InsertValue>[] | null
  /**
   * INSERT that may hit an existing row (upsert, ignore, replace); `columns`: the named
   * conflict target, else every unique key is looked up.
   */
  readonly conflict?: {
    readonly columns?: readonly string[]
    /** What a clash does: update the existing row, skip it, or replace it (MySQL REPLACE). */
    readonly action: 'update' | 'nothing' | 'replace'
  }
  /** The user's RETURNING selections, `null` when the statement returns no rows. */
  readonly userReturning: readonly UserSelection[] | null
  /** Prints one form of the write. */
  statement(variant: WriteVariant): Statement
}

/**
 * The connection a write runs on, as the adapter exposes it to core: statements, plus the
 * transaction core opens around a standalone write.
 */
export interface CaptureConnection extends SqlConnection, TransactionControl<Promise<void>> {}

/** {@link CaptureConnection} over a driver that answers synchronously (better-sqlite3). */
export interface SyncCaptureConnection extends SyncSqlConnection, TransactionControl<void> {}
