/**
 * A write workload to run under `node --cpu-prof src/profile.ts [update|insert|delete|bulk]`:
 * one database (CHRONICLE_DBS, default sqlite), audited Kysely only, long enough for a profile.
 */
import { auditPlugin, createAuditTable } from '@chronicle/kysely'
import { Kysely, sql } from 'kysely'
import { type BenchDB, createItemTables } from './schema.ts'
import { type DatabaseKind, openTarget } from './targets.ts'
import { seed } from './writes.ts'

const workload = process.argv[2] ?? 'update'
const kind = (process.env.CHRONICLE_DBS ?? 'sqlite') as DatabaseKind
const target = await openTarget(kind)
if (!target) process.exit(1)
const plain = new Kysely<BenchDB>({ dialect: target.dialect() })
const audit = auditPlugin<BenchDB>({ tables: { items_audited: {} } })
const db = new Kysely<BenchDB>({ dialect: audit.dialect(target.dialect()) })
try {
  await createItemTables(plain, kind)
  await createAuditTable(plain)
  await seed(plain, 'items_audited', 1, 10_000)
  const operations = workload === 'bulk' ? 50 : Number(process.env.OPS ?? 20_000)
  const start = performance.now()
  for (let i = 0; i < operations; i++) {
    if (workload === 'update')
      await db
        .updateTable('items_audited')
        .set({ score: i })
        .where('id', '=', (i % 1000) + 1)
        .execute()
    else if (workload === 'insert')
      await db
        .insertInto('items_audited')
        .values({ id: 100_000 + i, name: `n ${i}`, score: i, note: null })
        .execute()
    else if (workload === 'delete')
      await db
        .deleteFrom('items_audited')
        .where('id', '=', i + 1)
        .execute()
    else
      await db
        .updateTable('items_audited')
        .set({ score: sql`score + 1` })
        .where('id', '<=', 10_000)
        .execute()
  }
  const ms = (performance.now() - start) / operations
  console.log(`${kind} ${workload}: ${ms.toFixed(4)} ms per operation`)
} finally {
  await Promise.all([plain.destroy(), db.destroy()])
  await target.drop()
}
