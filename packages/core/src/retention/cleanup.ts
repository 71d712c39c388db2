import type { AuditEngine } from '../capture/audit-engine.js'
import { ChronicleError } from '../errors/chronicle-error.js'
import { anchorTable, chainTable } from '../integrity/chain.js'
import { sealEntries } from '../integrity/seal.js'
import { parseTime } from '../query/logs.js'
import type { SqlConnection } from '../store/connection.js'
import { insertMany } from '../store/entry-store.js'
import { SqlBuilder } from '../store/sql-builder.js'

export interface CleanupOptions {
  /** Delete entries written before this time… */
  readonly before?: Date | string
  /** …or older than this many days. Exactly one of the two. */
  readonly keepDays?: number
  /** Only this table's (or event target type's) entries. */
  readonly table?: string
  /** Count what would go, delete nothing. */
  readonly dryRun?: boolean
  /**
   * Entries deleted per transaction: a large cleanup never holds one long lock.
   * @default 1000
   */
  readonly batchSize?: number
}

export interface CleanupResult {
  readonly deleted: number
  readonly byTable: Record<string, number>
  readonly before: Date
  readonly dryRun: boolean
}

function cutoff(options: CleanupOptions): Date {
  const given = [options.before, options.keepDays].filter((v) => v !== undefined).length
  if (given !== 1)
    throw new ChronicleError('INVALID_FILTER', 'cleanup needs exactly one of before or keepDays')
  if (options.keepDays !== undefined) {
    if (!Number.isInteger(options.keepDays) || options.keepDays < 0) {
      throw new ChronicleError(
        'INVALID_FILTER',
        `keepDays must be a whole number ≥ 0, got ${JSON.stringify(options.keepDays)}`,
      )
    }
    return new Date(Date.now() - options.keepDays * 86_400_000)
  }
  return parseTime(options.before, 'before')
}

/**
 * Deletes old entries in batches, each in its own short transaction. Entries are sealed
 * first and their chain links kept as "pruned", so `verify` stays true; a fully pruned
 * prefix of the chain is then replaced by an anchor the chain restarts from.
 */
export async function cleanupEntries(
  engine: AuditEngine,
  options: CleanupOptions,
): Promise<CleanupResult> {
  const before = cutoff(options)
  const batchSize = options.batchSize ?? 1000
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new ChronicleError('INVALID_FILTER', 'batchSize must be a positive integer')
  if (options.table !== undefined && (typeof options.table !== 'string' || options.table === '')) {
    throw new ChronicleError('INVALID_FILTER', 'table must be a non-empty string')
  }
  const { dialect, database } = engine
  const audit = engine.options.auditTable
  const q = dialect.quote
  const where = (sql: SqlBuilder) => {
    sql.raw(` WHERE ${q('created_at')} < `).value(dialect.writeTimestamp(before))
    if (options.table !== undefined) sql.raw(` AND ${q('table_name')} = `).value(options.table)
    return sql
  }
  const byTable: Record<string, number> = {}
  const tally = (name: unknown, count: number) => {
    const key = name === null || name === undefined ? '(none)' : String(name)
    byTable[key] = (byTable[key] ?? 0) + count
  }
  if (options.dryRun) {
    const { sql, params } = where(
      new SqlBuilder(dialect).raw(`SELECT ${q('table_name')} AS t, COUNT(*) AS n FROM ${q(audit)}`),
    )
      .raw(` GROUP BY ${q('table_name')}`)
      .build()
    for (const row of (await database.query<{ t: unknown; n: unknown }>(sql, params)).rows)
      tally(row.t, Number(row.n))
    return {
      deleted: Object.values(byTable).reduce((a, b) => a + b, 0),
      byTable,
      before,
      dryRun: true,
    }
  }
  await sealEntries(engine)
  let deleted = 0
  for (;;) {
    const count = await database.transaction(async (connection) => {
      const { sql, params } = where(
        new SqlBuilder(dialect).raw(`SELECT ${q('id')}, ${q('table_name')} FROM ${q(audit)}`),
      )
        .raw(` ORDER BY ${q('id')} LIMIT ${batchSize}`)
        .build()
      const { rows } = await connection.query<{ id: unknown; table_name: unknown }>(sql, params)
      if (rows.length === 0) return 0
      const ids = rows.map((r) => Number(r.id))
      const inIds = (head: string) => new SqlBuilder(dialect).raw(head).list(ids).build()
      const drop = inIds(`DELETE FROM ${q(audit)} WHERE ${q('id')} IN `)
      await connection.query(drop.sql, drop.params)
      const prune = new SqlBuilder(dialect)
        .raw(`UPDATE ${q(chainTable(audit))} SET ${q('pruned')} = `)
        .value(true)
        .raw(` WHERE ${q('entry_id')} IN `)
        .list(ids)
        .build()
      await connection.query(prune.sql, prune.params)
      for (const row of rows) tally(row.table_name, 1)
      return rows.length
    })
    deleted += count
    if (count < batchSize) break
  }
  await database.transaction((connection) => compactChain(engine, connection))
  return { deleted, byTable, before, dryRun: false }
}

/** Replaces the fully pruned start of the chain by an anchor, so the chain table does not grow forever. */
async function compactChain(engine: AuditEngine, connection: SqlConnection): Promise<void> {
  const { dialect } = engine
  const audit = engine.options.auditTable
  const q = dialect.quote
  const chain = q(chainTable(audit))
  const live = new SqlBuilder(dialect)
    .raw(`SELECT MIN(${q('entry_id')}) AS id FROM ${chain} WHERE ${q('pruned')} = `)
    .value(false)
    .build()
  const firstLive = (await connection.query<{ id: unknown }>(live.sql, live.params)).rows[0]?.id
  const last = new SqlBuilder(dialect).raw(
    `SELECT ${q('entry_id')}, ${q('chain_hash')} FROM ${chain}`,
  )
  if (firstLive !== null && firstLive !== undefined)
    last.raw(` WHERE ${q('entry_id')} < `).value(Number(firstLive))
  const lastPruned = last.raw(` ORDER BY ${q('entry_id')} DESC LIMIT 1`).build()
  const [through] = (
    await connection.query<{ entry_id: unknown; chain_hash: unknown }>(
      lastPruned.sql,
      lastPruned.params,
    )
  ).rows
  if (!through) return
  const throughId = Number(through.entry_id)
  const remove = new SqlBuilder(dialect)
    .raw(`DELETE FROM ${chain} WHERE ${q('entry_id')} <= `)
    .value(throughId)
    .build()
  const result = await connection.query(remove.sql, remove.params)
  await insertMany(
    connection,
    dialect,
    anchorTable(audit),
    ['through_entry_id', 'chain_hash', 'pruned_count', 'created_at'],
    [
      [
        throughId,
        String(through.chain_hash),
        Number(result.affectedRows ?? 0),
        dialect.writeTimestamp(new Date()),
      ],
    ],
  )
}
