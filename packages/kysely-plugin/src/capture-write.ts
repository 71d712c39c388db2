import {
  type AuditEngine,
  ChronicleError,
  type Row,
  type RowChange,
  readRowsByKeys,
  type SqlConnection,
  type TableMeta,
  uniqueByKey,
} from '@chronicle/core'
import {
  AliasNode,
  ColumnNode,
  type CompiledQuery,
  createQueryId,
  type DatabaseConnection,
  FromNode,
  IdentifierNode,
  type QueryCompiler,
  type QueryResult,
  ReferenceNode,
  ReturningNode,
  SelectionNode,
  SelectModifierNode,
  SelectQueryNode,
  TableNode,
} from 'kysely'
import type { InsertValue, WritePlan } from './write-plan.js'

/** Audit columns ride along in RETURNING under this prefix and are removed before the caller sees rows. */
const PREFIX = '__chronicle_'

export interface CaptureContext {
  readonly engine: AuditEngine
  readonly compiler: QueryCompiler
  readonly connection: DatabaseConnection
  readonly sql: SqlConnection
  readonly transactionId: string
  /** Rewritten SQL by original SQL, shared by every connection of one driver. */
  readonly returningSql: Map<string, string>
}

type InsertPlan = Extract<WritePlan, { kind: 'insert' }>

/**
 * Runs one audited write on the caller's connection and records its entries there, so both
 * commit or roll back together. Round trips do not grow with the row count beyond chunking:
 * one locked pre-read (UPDATE, upsert; DELETE without RETURNING), the write, one read of the
 * new rows when the database has no RETURNING, and chunked multi-row audit inserts.
 */
export async function captureWrite(
  context: CaptureContext,
  compiled: CompiledQuery,
  plan: WritePlan,
): Promise<QueryResult<unknown>> {
  const { engine, sql } = context
  const meta = await engine.tableMeta(sql, plan.table)
  const returning = engine.dialect.supportsReturning
  let before: Row[] = []
  let after: Row[] = []
  let result: QueryResult<unknown>

  if (plan.kind === 'update') {
    const assigned = (plan.query.updates ?? []).map((u) =>
      ColumnNode.is(u.column) ? u.column.column.name : '',
    )
    const key = assigned.find((c) => meta.primaryKey.includes(c))
    if (key) {
      throw new ChronicleError(
        'UNSUPPORTED',
        `updating primary key column "${key}" of audited table "${plan.table}" cannot be captured: delete and insert instead`,
        { table: plan.table },
      )
    }
    before = uniqueByKey(meta, await preRead(context, plan))
    if (returning) {
      ;({ result, rows: after } = await runReturning(context, compiled, plan, meta))
    } else {
      result = await context.connection.executeQuery(compiled)
      after = await readRowsByKeys(
        sql,
        engine.dialect,
        plan.table,
        meta.primaryKey,
        keysOf(meta, before),
      )
    }
  } else if (plan.kind === 'delete') {
    if (returning) {
      ;({ result, rows: before } = await runReturning(context, compiled, plan, meta))
    } else {
      before = uniqueByKey(meta, await preRead(context, plan))
      result = await context.connection.executeQuery(compiled)
    }
  } else {
    const lookups = plan.conflict ? conflictLookups(meta, plan) : []
    before = await readLookups(context, meta, lookups, true)
    if (returning) {
      ;({ result, rows: after } = await runReturning(context, compiled, plan, meta))
    } else {
      const inserted = insertedKeys(meta, plan)
      result = await context.connection.executeQuery(compiled)
      after = plan.conflict
        ? await readLookups(context, meta, lookups, false)
        : await readRowsByKeys(sql, engine.dialect, plan.table, meta.primaryKey, inserted(result))
    }
  }
  const change: RowChange = { table: plan.table, operation: plan.kind, before, after }
  await engine.record(sql, change, context.transactionId)
  return result
}

function keysOf(meta: TableMeta, rows: readonly Row[]): unknown[][] {
  return rows.map((row) => meta.primaryKey.map((c) => row[c]))
}

/** `SELECT target.* FROM … WHERE …` with the statement's own FROM, joins, WHERE, ORDER BY, LIMIT. */
async function preRead(
  context: CaptureContext,
  plan: Extract<WritePlan, { kind: 'update' | 'delete' }>,
) {
  const query = plan.query
  const extra =
    plan.kind === 'update' ? (plan.query.from?.froms ?? []) : (plan.query.using?.tables ?? [])
  const lock = context.engine.dialect.lockSuffix !== ''
  const select: SelectQueryNode = {
    ...SelectQueryNode.createFrom([plan.node, ...extra], query.with),
    from: FromNode.create([plan.node, ...extra]),
    selections: [SelectionNode.createSelectAllFromTable(TableNode.create(plan.ref))],
    ...(query.joins && { joins: query.joins }),
    ...(query.where && { where: query.where }),
    ...(query.orderBy && { orderBy: query.orderBy }),
    ...(query.limit && { limit: query.limit }),
    ...(lock && { endModifiers: [SelectModifierNode.create('ForUpdate')] }),
  }
  const compiled = context.compiler.compileQuery(select, createQueryId())
  const { rows } = await context.connection.executeQuery<Row>(compiled)
  return rows
}

/**
 * Runs the statement with every column of the target appended to RETURNING under aliases,
 * then hands the caller exactly the rows (and counts) it asked for.
 */
/**
 * The statement's SQL with every target column appended to RETURNING under an alias.
 * The appended columns carry no parameters, so the caller's parameters stay valid and the
 * rewritten text can be cached by the original text: a repeated write compiles once.
 */
function withAuditReturning(
  context: CaptureContext,
  compiled: CompiledQuery,
  plan: WritePlan,
  columns: string[],
) {
  const key = `${compiled.sql}\u0000${plan.ref}\u0000${columns.join('\u0000')}`
  const cached = context.returningSql.get(key)
  if (cached !== undefined) return cached
  const postgres = context.engine.dialect.name === 'postgres'
  const selections = columns.map((column, i) =>
    SelectionNode.create(
      AliasNode.create(
        // SQLite's RETURNING sees only the target table, so its columns need no qualifier.
        postgres
          ? ReferenceNode.create(ColumnNode.create(column), TableNode.create(plan.ref))
          : ColumnNode.create(column),
        IdentifierNode.create(`${PREFIX}${i}`),
      ),
    ),
  )
  const query = {
    ...plan.query,
    returning: ReturningNode.create([...(plan.query.returning?.selections ?? []), ...selections]),
  }
  const { sql } = context.compiler.compileQuery(query, compiled.queryId)
  // Bounded: an application has a fixed set of statement shapes, but nothing may grow forever.
  if (context.returningSql.size >= 1000) context.returningSql.clear()
  context.returningSql.set(key, sql)
  return sql
}

async function runReturning(
  context: CaptureContext,
  compiled: CompiledQuery,
  plan: WritePlan,
  meta: TableMeta,
) {
  const columns = [...meta.columns.keys()]
  const userSelections = plan.query.returning?.selections ?? []
  const raw = await context.connection.executeQuery<Record<string, unknown>>({
    ...compiled,
    sql: withAuditReturning(context, compiled, plan, columns),
  })
  const rows: Row[] = []
  const userRows: Record<string, unknown>[] = []
  for (const returned of raw.rows) {
    const row: Row = {}
    const userRow: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(returned)) {
      if (key.startsWith(PREFIX)) row[columns[Number(key.slice(PREFIX.length))] as string] = value
      else userRow[key] = value
    }
    rows.push(row)
    userRows.push(userRow)
  }
  const lastKey = rows.at(-1)?.[meta.primaryKey[0] as string]
  const result: QueryResult<unknown> = {
    ...raw,
    rows: userSelections.length > 0 ? userRows : [],
    numAffectedRows: raw.numAffectedRows ?? BigInt(raw.rows.length),
    ...(plan.kind === 'insert' &&
      raw.insertId === undefined &&
      (typeof lastKey === 'number' || typeof lastKey === 'bigint') && {
        insertId: BigInt(lastKey),
      }),
  }
  return { result, rows }
}

/** The key lookups that find every row an upsert may touch: its conflict target, else every unique key. */
function conflictLookups(meta: TableMeta, plan: InsertPlan) {
  const keys = plan.conflictColumns ? [plan.conflictColumns] : meta.uniqueKeys
  return keys.map((columns) => ({
    columns,
    tuples: (plan.rows ?? []).flatMap((row) => {
      const values = columns.map((c) => row.get(c))
      return values.every(
        (v): v is Extract<InsertValue, { known: true }> => v?.known === true && v.value != null,
      )
        ? [values.map((v) => v.value)]
        : []
    }),
  }))
}

async function readLookups(
  context: CaptureContext,
  meta: TableMeta,
  lookups: ReturnType<typeof conflictLookups>,
  lock: boolean,
): Promise<Row[]> {
  const rows: Row[] = []
  for (const { columns, tuples } of lookups) {
    rows.push(
      ...(await readRowsByKeys(
        context.sql,
        context.engine.dialect,
        meta.name,
        columns,
        tuples,
        lock,
      )),
    )
  }
  return uniqueByKey(meta, rows)
}

/**
 * Without RETURNING (MySQL), an insert's rows are found by key: the keys it names, or the
 * auto-increment ids the driver reports (consecutive for one statement under InnoDB's
 * default lock mode). Decided before the write runs, so an unsupported shape changes nothing.
 */
function insertedKeys(
  meta: TableMeta,
  plan: InsertPlan,
): (result: QueryResult<unknown>) => unknown[][] {
  const rows = plan.rows ?? []
  const given = rows.map((row) => meta.primaryKey.map((c) => row.get(c)))
  if (
    plan.rows &&
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
      const count = Number(result.numAffectedRows ?? 0n)
      const first = Number(result.insertId ?? 0n)
      return Array.from({ length: count }, (_, i) => [first + i])
    }
  }
  throw new ChronicleError(
    'UNSUPPORTED',
    `an INSERT into audited table "${plan.table}" must either give every row's primary key or let the database generate all of them`,
    { table: plan.table },
  )
}
