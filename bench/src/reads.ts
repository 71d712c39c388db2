import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import type { Chronicle, KyselyAudit } from '@chronicle/kysely'
import { type Kysely, sql } from 'kysely'
import type { StatementCounter } from './counting-dialect.ts'
import { median, quantile, time } from './measure.ts'
import type { BenchDB } from './schema.ts'
import type { DatabaseKind } from './targets.ts'

export const LOG_TABLES = ['items_audited', 'orders', 'accounts', 'invoices', 'sessions']

/**
 * Fills the log with `count` entries in one statement: five tables, entity ids spread over
 * count / 10 rows, a thousand actors, row actions and some billing.* events, a year of time.
 */
export async function seedLog(
  db: Kysely<BenchDB>,
  kind: DatabaseKind,
  table: string,
  count: number,
): Promise<void> {
  const entities = Math.max(1, Math.floor(count / 10))
  const columns =
    'created_at, transaction_id, action, table_name, entity_id, new_values, changed_fields, actor_id, actor_type, hash'
  // n → table (n % 5), entity (n % entities), actor (n % 1000), action by n % 20, time: a year back to now.
  const expressions: Record<
    DatabaseKind,
    { from: string; at: string; text: (e: string) => string; json: string }
  > = {
    postgres: {
      from: `generate_series(1, ${count}) AS s(n)`,
      at: `now() - ((${count} - n) * interval '1 second' * ${Math.floor(31_536_000 / count) || 1})`,
      text: (e) => `(${e})::text`,
      json: `jsonb_build_object('id', n % ${entities}, 'name', 'item ' || n, 'score', n % 1000)`,
    },
    sqlite: {
      from: `(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${count}) SELECT n FROM s)`,
      at: `strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || ((${count} - n) * ${Math.floor(31_536_000 / count) || 1}) || ' seconds')`,
      text: (e) => `CAST(${e} AS TEXT)`,
      json: `json_object('id', n % ${entities}, 'name', 'item ' || n, 'score', n % 1000)`,
    },
    mariadb: {
      from: `(SELECT seq AS n FROM seq_1_to_${count}) AS s`,
      at: `UTC_TIMESTAMP(3) - INTERVAL ((${count} - n) * ${Math.floor(31_536_000 / count) || 1}) SECOND`,
      text: (e) => `CAST(${e} AS CHAR)`,
      json: `JSON_OBJECT('id', n % ${entities}, 'name', CONCAT('item ', n), 'score', n % 1000)`,
    },
  }
  const x = expressions[kind]
  const pick = (list: string[], by: string) =>
    `CASE ${by} ${list.map((v, i) => `WHEN ${i} THEN '${v}'`).join(' ')} END`
  const actions = [
    'INSERT',
    'UPDATE',
    'UPDATE',
    'UPDATE',
    'DELETE',
    'billing.plan.changed',
    'UPDATE',
    'UPDATE',
    'UPDATE',
    'UPDATE',
  ]
  await sql
    .raw(
      `INSERT INTO ${table} (${columns}) SELECT ${x.at}, ${x.text('n / 3')}, ${pick(actions, 'n % 10')}, ${pick(LOG_TABLES, 'n % 5')},
        ${x.text(`n % ${entities}`)}, ${x.json}, NULL, ${kind === 'postgres' ? `'actor-' || (n % 1000)` : kind === 'sqlite' ? `'actor-' || (n % 1000)` : `CONCAT('actor-', n % 1000)`}, 'user', NULL FROM ${x.from}`,
    )
    .execute(db)
  // Planner statistics, as production has them (autovacuum, persistent stats, PRAGMA optimize):
  // without them SQLite cannot tell a 10% action filter from a rare one.
  const analyze = {
    sqlite: 'ANALYZE',
    postgres: `ANALYZE ${table}`,
    mariadb: `ANALYZE TABLE ${table}`,
  }
  await sql.raw(analyze[kind]).execute(db)
}

export interface ReadResult {
  readonly workload: string
  readonly median: number
  readonly p95: number
  readonly index: string
}

/** The index the database says it uses for Chronicle's last statement (EXPLAIN). */
async function indexUsed(
  db: Kysely<BenchDB>,
  kind: DatabaseKind,
  counter: StatementCounter,
): Promise<string> {
  const last = counter.recent.at(-1)
  if (!last) return '?'
  const prefix = kind === 'sqlite' ? 'EXPLAIN QUERY PLAN ' : 'EXPLAIN '
  const { rows } = await db.executeQuery<Record<string, unknown>>({
    ...sql``.compile(db),
    sql: `${prefix}${last.sql}`,
    parameters: last.parameters,
  })
  const text = rows.map((r) => Object.values(r).join(' ')).join(' | ')
  const patterns = [
    /USING (?:COVERING )?INDEX (\w+)/,
    /Index (?:Only )?Scan(?: Backward)? using (\w+)/,
    /Bitmap Index Scan on (\w+)/,
  ]
  if (kind === 'mariadb') {
    const keys = rows.map((r) => r.key).filter(Boolean)
    return keys.length > 0 ? keys.join(',') : `no index (${text.slice(0, 80)})`
  }
  for (const pattern of patterns) {
    const match = pattern.exec(text)
    if (match) return match[1] ?? 'index'
  }
  if (/USING INTEGER PRIMARY KEY|_pkey/.test(text)) return 'primary key'
  // SQLite walking the rowid B-tree in ORDER BY id order, stopping at LIMIT (no sort step).
  if (kind === 'sqlite' && /\bSCAN \w+/.test(text) && !/TEMP B-TREE/.test(text))
    return 'primary key (id order, early stop)'
  return `no index (${text.slice(0, 80)})`
}

/** History, stateAt and filtered/deep-cursor logs on the seeded log: median latency and index used. */
export async function readWorkloads(
  audit: KyselyAudit<BenchDB>,
  db: Kysely<BenchDB>,
  kind: DatabaseKind,
  counter: StatementCounter,
  count: number,
  samples: number,
): Promise<ReadResult[]> {
  const entities = Math.max(1, Math.floor(count / 10))
  const entity = (i: number) => (i * 7919) % entities
  const repo = audit.table('items_audited')
  const deepCursor = Buffer.from(`id:${Math.floor(count / 50)}`).toString('base64url')
  const reads: [string, (i: number) => Promise<unknown>][] = [
    ['history(id)', (i) => repo.history(entity(i))],
    [
      'stateAt(id, t)',
      (i) => repo.stateAt(entity(i), new Date(Date.now() - 86_400_000 * (i % 300))),
    ],
    [
      'logs({ table, actorId })',
      // The seeded log holds tables this instance does not audit: read it untyped.
      (i) =>
        (audit as unknown as Chronicle).logs({
          table: 'orders',
          actorId: `actor-${(i * 5 + 1) % 1000}`,
        }),
    ],
    ['logs({ action: "billing" })', () => audit.logs({ action: 'billing' })],
    ['logs({ cursor }) deep', () => audit.logs({ cursor: deepCursor })],
  ]
  const results: ReadResult[] = []
  for (const [workload, read] of reads) {
    const times: number[] = []
    for (let i = 0; i < samples + 5; i++) {
      const ms = await time(() => read(i))
      if (i >= 5) times.push(ms)
    }
    counter.reset()
    await read(1)
    results.push({
      workload,
      median: median(times),
      p95: quantile(times, 0.95),
      index: await indexUsed(db, kind, counter),
    })
  }
  return results
}

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** Peak retained heap growth while exporting the whole log (collected before each sample). */
export async function exportMemory(
  audit: KyselyAudit<BenchDB>,
): Promise<{ entries: number; peakMb: number; seconds: number }> {
  gc()
  const start = process.memoryUsage().heapUsed
  let peak = start
  let entries = 0
  const began = Date.now()
  for await (const _ of audit.export()) {
    entries += 1
    if (entries % 50_000 === 0) {
      gc()
      peak = Math.max(peak, process.memoryUsage().heapUsed)
    }
  }
  return { entries, peakMb: (peak - start) / 1024 / 1024, seconds: (Date.now() - began) / 1000 }
}
