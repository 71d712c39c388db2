import type { AuditEngine } from '../capture/audit-engine.js'
import { anchorTable, chainTable } from '../integrity/chain.js'
import { SqlBuilder } from '../store/sql-builder.js'
import { appendFilter, type EntryFilter } from './logs.js'

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const

/** How many entries, and which fraction of the total (0–1). */
export interface StatsShare {
  readonly count: number
  readonly share: number
}

/** Aggregates over the entries a filter selects, computed by the database (GROUP BY). */
export interface AuditStats {
  readonly total: number
  /** Largest first. */
  readonly byAction: Record<string, StatsShare>
  readonly byTable: Record<string, StatsShare>
  /** Entries without an actor count under `(none)`. */
  readonly byActor: Record<string, StatsShare>
  /** The busiest day of the week (UTC), or null when there are no entries. */
  readonly peakDay: { readonly day: (typeof DAYS)[number]; readonly count: number } | null
  /** The busiest hour of the day (UTC, 0–23). */
  readonly peakHour: { readonly hour: number; readonly count: number } | null
  /** Storage of the whole audit trail (entries, indexes, chain): size functions, estimated on SQLite. */
  readonly bytes: number
  readonly from: Date | null
  readonly to: Date | null
}

export type StatsFilter = Pick<EntryFilter, 'since' | 'until' | 'table'>

const STATS_KEYS: ReadonlySet<string> = new Set(['since', 'until', 'table'])

export async function auditStats(
  engine: AuditEngine,
  filter: StatsFilter = {},
): Promise<AuditStats> {
  const { dialect, database } = engine
  const table = engine.options.auditTable
  const q = dialect.quote
  const grouped = async (expression: string) => {
    const sql = new SqlBuilder(dialect).raw(
      `SELECT ${expression} AS k, COUNT(*) AS n FROM ${q(table)} WHERE 1 = 1`,
    )
    appendFilter(sql, filter, STATS_KEYS)
    const { sql: text, params } = sql.raw(` GROUP BY ${expression}`).build()
    const { rows } = await database.query<{ k: unknown; n: unknown }>(text, params)
    return rows.map((row) => ({ key: row.k, count: Number(row.n) }))
  }
  const record = (rows: { key: unknown; count: number }[], total: number) =>
    Object.fromEntries(
      rows
        .sort((a, b) => b.count - a.count)
        .map((r) => [
          r.key === null ? '(none)' : String(r.key),
          { count: r.count, share: total > 0 ? r.count / total : 0 },
        ]),
    )
  const peak = (rows: { key: unknown; count: number }[]) =>
    rows.reduce<{ key: unknown; count: number } | null>(
      (best, row) => (best === null || row.count > best.count ? row : best),
      null,
    )

  const range = new SqlBuilder(dialect).raw(
    `SELECT COUNT(*) AS n, MIN(${dialect.selectTimestamp(q('created_at'))}) AS lo, MAX(${dialect.selectTimestamp(q('created_at'))}) AS hi FROM ${q(table)} WHERE 1 = 1`,
  )
  appendFilter(range, filter, STATS_KEYS)
  const { sql: rangeSql, params: rangeParams } = range.build()
  const [summary] = (
    await database.query<{ n: unknown; lo: unknown; hi: unknown }>(rangeSql, rangeParams)
  ).rows
  const byAction = await grouped(q('action'))
  const byTable = await grouped(q('table_name'))
  const byActor = await grouped(q('actor_id'))
  const day = peak(await grouped(dialect.dayOfWeek(q('created_at'))))
  const hour = peak(await grouped(dialect.hourOfDay(q('created_at'))))
  const size = dialect.storageBytes([table, chainTable(table), anchorTable(table)])
  const [bytes] = (await database.query<{ bytes: unknown }>(size.sql, size.params)).rows
  const total = Number(summary?.n ?? 0)
  return {
    total,
    byAction: record(byAction, total),
    byTable: record(byTable, total),
    byActor: record(byActor, total),
    peakDay: day ? { day: DAYS[Number(day.key)] ?? 'Sunday', count: day.count } : null,
    peakHour: hour ? { hour: Number(hour.key), count: hour.count } : null,
    bytes: Number(bytes?.bytes ?? 0),
    from: summary?.lo ? dialect.readTimestamp(summary.lo) : null,
    to: summary?.hi ? dialect.readTimestamp(summary.hi) : null,
  }
}
