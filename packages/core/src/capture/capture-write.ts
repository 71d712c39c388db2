import { randomUUID } from 'node:crypto'
import { exactParam } from '../entry/codec.js'
import { type ExactRead, exactReads, withExactTexts } from '../entry/exact-values.js'
import { ChronicleError, isChronicleError } from '../errors/chronicle-error.js'
import type { SqlResult } from '../store/connection.js'
import type { Statement } from '../store/dialect.js'
import { type Row, readRowsByKeysSteps, rowEntityId, uniqueByKey } from '../store/rows.js'
import { query, runAsync, runSync, type Steps } from '../store/steps.js'
import type { TableMeta } from '../store/table-meta.js'
import type { AuditEngine } from './audit-engine.js'
import type { RowChange } from './build-entries.js'
import { foldUpdate, OLD_ROWS, SIDE } from './folded-update.js'
import type { TransactionGuard } from './transaction-guard.js'
import type {
  CaptureConnection,
  InsertValue,
  KeySet,
  SyncCaptureConnection,
  WriteDescription,
  WriteVariant,
} from './write-description.js'

/** Prefix of the columns core adds to RETURNING; they never reach the caller. */
const PREFIX = '__chronicle_'
const USER = `${PREFIX}u`
const INSERTED = `${PREFIX}inserted`

/** Between the locked pre-read and the write, another transaction changed what it touches. */
class RaceDetected extends Error {}

/** Standalone writes that lost a race are run again, on a fresh snapshot, this many times. */
const ATTEMPTS = 3

/**
 * Runs one audited write and records its entries on the same connection, in the same
 * transaction: the user's, or one opened here around a standalone write. Returns the
 * write's result as the user's statement would have given it.
 *
 * The protocol, per dialect (round trips never grow with the row count beyond chunking):
 * - UPDATE: a locked pre-read of the target rows, then the write. Where another writer
 *   exists (PostgreSQL, MySQL) the write is restricted to the keys the pre-read locked, so
 *   under READ COMMITTED a row inserted meanwhile is neither written nor misrecorded.
 * - DELETE: `DELETE … RETURNING` where the database has it (one statement, exact under
 *   any isolation level; MariaDB 10.5+ for a single-table DELETE); else a locked pre-read
 *   and a write restricted to its keys.
 * - INSERT: RETURNING (MariaDB 10.5+: where the insert id it would report is known from the
 *   rows), or a read back by key (MySQL). Upserts first read, locked, the rows
 *   their keys may hit; a row updated although the pre-read did not see it is detected
 *   (PostgreSQL `xmax`, MySQL affected rows): a standalone write is retried, a write in
 *   the user's transaction fails with `CONFLICT` and dooms the transaction.
 *
 * Snapshots come from `<target>.*` (RETURNING or SELECT), never a cached column list, so a
 * column added or dropped while the application runs is captured without a restart.
 */
export function captureWrite(
  engine: AuditEngine,
  connection: CaptureConnection,
  guard: TransactionGuard,
  write: WriteDescription,
): Promise<SqlResult> {
  return runAsync(captureSteps(engine, guard, write), connection)
}

/**
 * {@link captureWrite} for a driver that must not yield: the same protocol, every
 * statement run synchronously (better-sqlite3 inside a synchronous transaction).
 */
export function captureWriteSync(
  engine: AuditEngine,
  connection: SyncCaptureConnection,
  guard: TransactionGuard,
  write: WriteDescription,
): SqlResult {
  return runSync(captureSteps(engine, guard, write), connection)
}

function* captureSteps(
  engine: AuditEngine,
  guard: TransactionGuard,
  write: WriteDescription,
): Steps<SqlResult> {
  if (write.schema !== undefined && !(yield* engine.isDefaultSchema(write.schema))) {
    // `other.users` is not the audited `users`: a table of the same name elsewhere.
    const { sql, params } = write.statement({ kind: 'write', returning: false })
    return yield* query(sql, params)
  }
  const transactionId = guard.transactionId
  if (transactionId !== null) {
    let written = false
    try {
      return yield* runWrite(
        engine,
        write,
        transactionId,
        () => {
          written = true
        },
        guard,
      )
    } catch (error) {
      if (!written) throw error
      // The rows changed but their entries did not all get written: never let it commit.
      guard.doom(error)
      throw auditFailure(error, write)
    }
  }
  for (let attempt = 1; ; attempt++) {
    yield { control: 'begin' }
    let written = false
    try {
      const result = yield* runWrite(engine, write, randomUUID(), () => {
        written = true
      })
      yield { control: 'commit' }
      return result
    } catch (error) {
      yield { control: 'rollback' }
      if (error instanceof RaceDetected && attempt < ATTEMPTS) continue
      throw written ? auditFailure(error, write) : error
    }
  }
}

function auditFailure(error: unknown, write: WriteDescription): unknown {
  if (isChronicleError(error)) return error
  if (error instanceof RaceDetected) {
    return new ChronicleError(
      'CONFLICT',
      `a concurrent transaction changed a row of "${write.table}" between Chronicle's locked read and the write, so its old values are unknown: retry the transaction (it was marked to roll back)`,
      { table: write.table, cause: error },
    )
  }
  return new ChronicleError(
    'AUDIT_FAILED',
    `writing the audit entries of a write to "${write.table}" failed, so the write does not count: ${(error as Error)?.message ?? String(error)}`,
    { table: write.table, cause: error },
  )
}

/** Columns a statement names: if one is new to the cached shape, the shape is re-read. */
function namedColumns(write: WriteDescription): string[] {
  if (write.assigns) return [...write.assigns]
  return [...new Set((write.rows ?? []).flatMap((row) => [...row.keys()]))]
}

function* runWrite(
  engine: AuditEngine,
  write: WriteDescription,
  transactionId: string,
  written: () => void,
  guard?: TransactionGuard,
): Steps<SqlResult> {
  // Resolved once, before the write runs: values the audit table cannot hold are refused first.
  const context = engine.currentContext()
  const meta = yield* engine.tableMetaSteps(write.table, { columns: namedColumns(write) })
  const dialect = engine.dialect
  // SQLite has one writer at a time: nothing can slip between the pre-read and the write.
  const restrict = dialect.name !== 'sqlite'
  // Columns the driver gives inexactly are read as the database's text too, in the same statements.
  const exact = exactReads(meta, dialect)
  const returning = yield* engine.returningSteps()
  const ctx = { engine, write, meta, exact }
  let before: Row[] = []
  let after: Row[]
  let result: SqlResult

  if (write.operation === 'update') {
    const key = (write.assigns ?? []).find((c) => meta.primaryKey.includes(c))
    if (key) {
      throw new ChronicleError(
        'UNSUPPORTED',
        `updating primary key column "${key}" of audited table "${write.table}" cannot be captured: delete and insert instead`,
        { table: write.table },
      )
    }
    const folded =
      dialect.name === 'postgres' && returning.has('update') ? yield* runFoldedUpdate(ctx) : null
    if (folded) {
      ;({ result, before, rows: after } = folded)
    } else {
      before = yield* preRead(ctx, restrict)
      const keys = restrict ? keySet(meta, before) : undefined
      if (returning.has('update')) {
        ;({ result, rows: after } = yield* runReturning(ctx, { keys }))
      } else {
        result = yield* runStatements(ctx, { kind: 'write', returning: false }, keys)
        after = yield* readRowsByKeysSteps(
          dialect,
          meta.name,
          meta.primaryKey,
          keysOf(meta, before),
          false,
          exact,
        )
      }
    }
    written()
  } else if (write.operation === 'delete') {
    if (returning.has('delete') && (dialect.supportsReturning || !write.multiTable)) {
      ;({ result, rows: before } = yield* runReturning(ctx, {}))
    } else {
      before = yield* preRead(ctx, true)
      result = yield* runStatements(ctx, { kind: 'write', returning: false }, keySet(meta, before))
    }
    written()
    after = []
  } else {
    const lookups = write.conflict ? conflictLookups(meta, write) : []
    before = yield* readLookups(ctx, lookups, true)
    const insertId = dialect.supportsReturning ? undefined : returnedInsertId(meta, write)
    if (insertId && returning.has('insert')) {
      ;({ result, rows: after } = yield* runReturning(ctx, {}))
      written()
      if (!write.userReturning) result = withInsertId(result, insertId(after))
    } else if (dialect.supportsReturning) {
      const inserted = write.conflict !== undefined && dialect.name === 'postgres'
      const returned = yield* runReturning(ctx, { inserted })
      written()
      ;({ result, rows: after } = returned)
      if (inserted) assertNoRacedUpdate(meta, before, after, returned.inserted)
      result = yield* withSqliteInsertId(ctx, result, before, after)
    } else {
      const insertedKeys = write.conflict ? undefined : keysToRead(meta, write)
      result = yield* runStatements(ctx, { kind: 'write', returning: false })
      written()
      after = insertedKeys
        ? yield* readRowsByKeysSteps(
            dialect,
            meta.name,
            meta.primaryKey,
            insertedKeys(result),
            false,
            exact,
          )
        : yield* readLookups(ctx, lookups, false)
      if (write.conflict) assertAffectedRows(meta, write, before, after, result)
    }
  }
  const change: RowChange = { table: write.table, operation: write.operation, before, after }
  yield* engine.recordSteps(change, transactionId, context, guard)
  return result
}

interface Ctx {
  readonly engine: AuditEngine
  readonly write: WriteDescription
  readonly meta: TableMeta
  readonly exact: readonly ExactRead[]
}

/** The variant with the exact reads, when the table has any. */
function withExact<V extends WriteVariant>(ctx: Ctx, variant: V): V {
  return ctx.exact.length > 0 ? { ...variant, exact: ctx.exact } : variant
}

function run(statement: Statement) {
  return query<Row>(statement.sql, statement.params)
}

function* preRead(ctx: Ctx, lock: boolean): Steps<Row[]> {
  const { rows } = yield* run(ctx.write.statement(withExact(ctx, { kind: 'select', lock })))
  return uniqueByKey(
    ctx.meta,
    rows.map((row) => withExactTexts(row, ctx.exact)),
  )
}

function keysOf(meta: TableMeta, rows: readonly Row[]): unknown[][] {
  return rows.map((row) => meta.primaryKey.map((c) => exactParam(row[c])))
}

function keySet(meta: TableMeta, rows: readonly Row[]): KeySet {
  return { columns: meta.primaryKey, tuples: keysOf(meta, rows) }
}

/**
 * Runs the write once, or, restricted to `keys`, in as many statements as the bind limit
 * needs (each restricted to a slice of the keys), summing what they report.
 */
function* runStatements(
  ctx: Ctx,
  variant: Extract<WriteVariant, { kind: 'write' }>,
  keys?: KeySet,
): Steps<SqlResult<Row>> {
  if (!keys || keys.tuples.length === 0) {
    return yield* run(ctx.write.statement(keys ? { ...variant, keys } : variant))
  }
  const results: SqlResult<Row>[] = []
  let size = keys.tuples.length
  for (let start = 0; start < keys.tuples.length; ) {
    const slice = { columns: keys.columns, tuples: keys.tuples.slice(start, start + size) }
    const statement = ctx.write.statement({ ...variant, keys: slice })
    if (statement.params.length > ctx.engine.dialect.maxParams && size > 1) {
      size = Math.ceil(size / 2)
      continue
    }
    results.push(yield* run(statement))
    start += slice.tuples.length
  }
  if (results.length === 1) return results[0] as SqlResult<Row>
  const sum = (pick: (r: SqlResult<Row>) => bigint | undefined) =>
    results.some((r) => pick(r) !== undefined)
      ? results.reduce((n, r) => n + (pick(r) ?? 0n), 0n)
      : undefined
  const affectedRows = sum((r) => r.affectedRows)
  const changedRows = sum((r) => r.changedRows)
  return {
    rows: results.flatMap((r) => r.rows),
    ...(affectedRows !== undefined && { affectedRows }),
    ...(changedRows !== undefined && { changedRows }),
  }
}

/**
 * The write with `<target>.*` (and the user's own selections, aliased) in RETURNING: the
 * rows for the entries, and the result the caller would have had.
 */
function* runReturning(
  ctx: Ctx,
  options: { readonly keys?: KeySet; readonly inserted?: boolean },
): Steps<{ result: SqlResult; rows: Row[]; inserted: boolean[] }> {
  const raw = yield* runStatements(
    ctx,
    withExact(ctx, {
      kind: 'write',
      returning: true,
      ...(options.inserted && { inserted: true }),
    }),
    options.keys,
  )
  return readReturned(ctx, raw, options.inserted === true)
}

/**
 * PostgreSQL's UPDATE with its locked pre-read folded into the same statement (see
 * {@link foldUpdate}); `null`, having run nothing, when the write cannot be folded.
 */
function* runFoldedUpdate(
  ctx: Ctx,
): Steps<{ result: SqlResult; before: Row[]; rows: Row[] } | null> {
  const { write, meta } = ctx
  const select = write.statement(withExact(ctx, { kind: 'select', lock: true }))
  const quote = ctx.engine.dialect.quote
  const keys = meta.primaryKey.map(quote).join(', ')
  const returning = write.statement(
    withExact(ctx, {
      kind: 'write',
      returning: true,
      keys: { columns: meta.primaryKey, select: `SELECT ${keys} FROM ${quote(OLD_ROWS)}` },
    }),
  )
  const userColumns = (write.userReturning ?? []).filter((s) => !('all' in s)).length
  const statement = foldUpdate(select, returning, userColumns, ctx.engine.dialect.maxParams)
  if (!statement) return null
  const { rows: returned } = yield* run(statement)
  const written: Row[] = []
  const old: Row[] = []
  for (const row of returned) {
    if (row[SIDE] === 'n') written.push(row)
    else old.push(withExactTexts(row, ctx.exact))
  }
  const { result, rows } = readReturned(
    ctx,
    { rows: written, affectedRows: BigInt(written.length) },
    false,
  )
  return { result, before: uniqueByKey(meta, old), rows }
}

/** The rows for the entries and the caller's result, out of what a RETURNING write gave. */
function readReturned(
  ctx: Ctx,
  raw: SqlResult<Row>,
  withInserted: boolean,
): { result: SqlResult; rows: Row[]; inserted: boolean[] } {
  const selections = ctx.write.userReturning
  const rows: Row[] = []
  const userRows: Row[] = []
  const inserted: boolean[] = []
  for (const returned of raw.rows) {
    const row: Row = {}
    for (const column in returned) {
      if (!column.startsWith(PREFIX)) row[column] = returned[column]
    }
    rows.push(ctx.exact.length > 0 ? withExactTexts(returned, ctx.exact) : row)
    if (withInserted) inserted.push(returned[INSERTED] === true)
    if (selections) {
      const userRow: Row = {}
      selections.forEach((selection, i) => {
        if ('all' in selection) Object.assign(userRow, row)
        else userRow[selection.name] = returned[`${USER}${i}`]
      })
      userRows.push(userRow)
    }
  }
  const result: SqlResult = {
    rows: selections ? userRows : [],
    affectedRows: raw.affectedRows ?? BigInt(raw.rows.length),
    ...(raw.changedRows !== undefined && { changedRows: raw.changedRows }),
    // MySQL reports changed rows for every write that returns none; RETURNING hides the count.
    ...(!selections && ctx.engine.dialect.name === 'mysql' && { changedRows: 0n }),
  }
  return { result, rows, inserted }
}

/**
 * SQLite reports the connection's last inserted rowid for every INSERT; a RETURNING form
 * does not, so it is taken from the rows when they carry it, else asked for.
 */
function* withSqliteInsertId(
  ctx: Ctx,
  result: SqlResult,
  before: readonly Row[],
  after: readonly Row[],
): Steps<SqlResult> {
  const { engine, meta, write } = ctx
  if (engine.dialect.name !== 'sqlite' || write.userReturning) return result
  const seen = new Set(before.map((row) => rowEntityId(meta, row)))
  const last = after.findLast((row) => !seen.has(rowEntityId(meta, row)))
  const [pk] = meta.primaryKey
  const rowid = pk !== undefined && meta.primaryKey.length === 1 && meta.columns.get(pk)?.generated
  const value = last && rowid ? last[pk as string] : undefined
  if (typeof value === 'number' || typeof value === 'bigint') {
    return { ...result, insertId: BigInt(value) }
  }
  const { rows } = yield* run({ sql: 'SELECT last_insert_rowid() AS id', params: [] })
  return { ...result, insertId: BigInt(rows[0]?.id as number) }
}

/**
 * MariaDB's `INSERT … RETURNING` reports no insert id, so it is taken from the returned rows
 * as the server reports it: the auto-increment value of the first row that generated one,
 * else of the last row (given explicitly), 0 without an auto-increment column. `undefined`
 * when that cannot be known before the write (an upsert, INSERT … SELECT, a value that is an
 * expression or 0): the insert then runs without RETURNING and reads its rows back.
 */
function returnedInsertId(
  meta: TableMeta,
  write: WriteDescription,
): ((after: readonly Row[]) => bigint) | undefined {
  const rows = write.rows
  if (write.conflict || !rows || rows.length === 0) return undefined
  let column: string | undefined
  for (const info of meta.columns.values()) if (info.generated) column = info.name
  if (column === undefined) return () => 0n
  let index = -1
  for (const [i, row] of rows.entries()) {
    const value = row.get(column)
    if (value === undefined || (value.known && value.value == null)) {
      if (index < 0) index = i
    } else if (!value.known || Number(value.value) === 0) {
      return undefined
    }
  }
  const at = index < 0 ? rows.length - 1 : index
  const name = column
  return (after) => {
    const value = after[at]?.[name]
    return typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string'
      ? BigInt(value)
      : 0n
  }
}

/** The insert id as the caller gets it: none when 0, as mysql2 results read through Kysely. */
function withInsertId(result: SqlResult, insertId: bigint): SqlResult {
  return insertId === 0n ? result : { ...result, insertId }
}

/** PostgreSQL: an upserted row that existed, though the locked pre-read did not see it. */
function assertNoRacedUpdate(
  meta: TableMeta,
  before: readonly Row[],
  after: readonly Row[],
  inserted: readonly boolean[],
): void {
  const seen = new Set(before.map((row) => rowEntityId(meta, row)))
  after.forEach((row, i) => {
    if (!inserted[i] && !seen.has(rowEntityId(meta, row))) throw new RaceDetected()
  })
}

/**
 * MySQL reports 1 per inserted row, 2 per changed row and 0 (1 with FOUND_ROWS, mysql2's
 * default) per row left as it was. A row updated that the pre-read did not see breaks that sum.
 */
function assertAffectedRows(
  meta: TableMeta,
  write: WriteDescription,
  before: readonly Row[],
  after: readonly Row[],
  result: SqlResult,
): void {
  if (write.conflict?.action === 'replace' || result.affectedRows === undefined) return
  const previous = new Map(before.map((row) => [rowEntityId(meta, row), row]))
  let inserted = 0
  let changed = 0
  let unchanged = 0
  for (const row of after) {
    const old = previous.get(rowEntityId(meta, row))
    if (!old) inserted += 1
    else if (Object.keys(row).some((c) => !sameValue(old[c], row[c]))) changed += 1
    else unchanged += 1
  }
  const actual = Number(result.affectedRows)
  if (write.conflict?.action === 'nothing') {
    if (actual !== inserted) throw new RaceDetected()
    return
  }
  const base = inserted + 2 * changed
  if (actual !== base && actual !== base + unchanged) throw new RaceDetected()
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime()
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b) === 0
  return a === b || JSON.stringify(a) === JSON.stringify(b)
}

interface Lookup {
  readonly columns: readonly string[]
  readonly tuples: unknown[][]
}

/** The key lookups that find every row an upsert may touch: its conflict target, else every unique key. */
function conflictLookups(meta: TableMeta, write: WriteDescription): Lookup[] {
  const keys = write.conflict?.columns ? [write.conflict.columns] : meta.uniqueKeys
  return keys.map((columns) => ({
    columns,
    tuples: (write.rows ?? []).flatMap((row) => {
      const values = columns.map((c) => row.get(c))
      return values.every(
        (v): v is Extract<InsertValue, { known: true }> => v?.known === true && v.value != null,
      )
        ? [values.map((v) => v.value)]
        : []
    }),
  }))
}

function* readLookups(ctx: Ctx, lookups: readonly Lookup[], lock: boolean): Steps<Row[]> {
  const rows: Row[] = []
  for (const { columns, tuples } of lookups) {
    rows.push(
      ...(yield* readRowsByKeysSteps(
        ctx.engine.dialect,
        ctx.meta.name,
        columns,
        tuples,
        lock,
        ctx.exact,
      )),
    )
  }
  return uniqueByKey(ctx.meta, rows)
}

/**
 * Without RETURNING (MySQL), an insert's rows are found by key: the keys it names, or the
 * auto-increment ids the driver reports (consecutive for one statement under InnoDB's
 * default lock mode). Decided before the write runs, so an unsupported shape changes nothing.
 */
function keysToRead(meta: TableMeta, write: WriteDescription): (result: SqlResult) => unknown[][] {
  const rows = write.rows ?? []
  const given = rows.map((row) => meta.primaryKey.map((c) => row.get(c)))
  if (
    write.rows &&
    given.every((values) => values.every((v) => v?.known === true && v.value != null))
  ) {
    return () => given.map((values) => values.map((v) => (v as { value: unknown }).value))
  }
  const [pk] = meta.primaryKey
  const generated =
    meta.primaryKey.length === 1 && pk !== undefined && meta.columns.get(pk)?.generated
  const noneGiven = given.every((values) =>
    values.every((v) => v === undefined || (v.known && v.value == null)),
  )
  if (generated && noneGiven) {
    return (result) => {
      const count = Number(result.affectedRows ?? 0n)
      const first = Number(result.insertId ?? 0n)
      return Array.from({ length: count }, (_, i) => [first + i])
    }
  }
  throw new ChronicleError(
    'UNSUPPORTED',
    `an INSERT into audited table "${write.table}" must either give every row's primary key or let the database generate all of them`,
    { table: write.table },
  )
}
