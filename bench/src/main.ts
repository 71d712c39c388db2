import { mkdirSync, writeFileSync } from 'node:fs'
import { auditPlugin, createAuditTable } from '@chronicle/kysely'
import { Kysely } from 'kysely'
import { countingDialect, StatementCounter } from './counting-dialect.ts'
import { drizzleWrites } from './drizzle-writes.ts'
import { FLOOR_LOG, floor } from './floor.ts'
import { createKyseraAuditTable, kyseraRepository } from './kysera.ts'
import type { Measurement, Variant } from './measure.ts'
import { prismaWrites } from './prisma.ts'
import { exportMemory, readWorkloads, seedLog } from './reads.ts'
import { type BenchDB, createItemTables } from './schema.ts'
import { type DatabaseKind, openTarget } from './targets.ts'
import { fmt, KYSERA_NOTE, printWrites } from './write-table.ts'
import { writeWorkloads } from './writes.ts'

const quick = process.argv.includes('--quick')
/** Writes alone: for measuring a change to the write path without seeding the 1M-entry log. */
const writesOnly = process.argv.includes('--writes')
// `--entries-at-commit`: Chronicle keeps a transaction's entries for one INSERT at COMMIT.
const entries = process.argv.includes('--entries-at-commit') ? 'at-commit' : 'per-write'
const settings = quick
  ? { samples: 5, warmup: 1, batch: 20, bulk: [100, 1000], log: 10_000, readSamples: 20 }
  : { samples: 15, warmup: 3, batch: 100, bulk: [1000, 10_000], log: 1_000_000, readSamples: 100 }
const kinds = (process.env.CHRONICLE_DBS?.split(',') ?? [
  'sqlite',
  'postgres',
  'mariadb',
]) as DatabaseKind[]

const rows: Record<string, unknown>[] = []

/** One JSON row per measurement, with its ratios to the same workload's unaudited, trigger and floor. */
function record(adapter: string, db: DatabaseKind, writes: readonly Measurement[]): void {
  for (const m of writes) {
    const to = (variant: Variant) =>
      m.median /
      (writes.find((w) => w.workload === m.workload && w.variant === variant)?.median ?? Number.NaN)
    rows.push({
      kind: 'write',
      workload: m.workload,
      adapter,
      db,
      variant: m.variant,
      median: m.median,
      p95: m.p95,
      ratio: to('unaudited'),
      ratioToTrigger: to('trigger'),
      ratioToFloor: to('floor'),
      roundTrips: m.roundTrips,
    })
  }
}

for (const kind of kinds) {
  const target = await openTarget(kind)
  if (!target) continue
  const began = Date.now()
  try {
    const plainCounter = new StatementCounter()
    const auditedCounter = new StatementCounter()
    const readCounter = new StatementCounter()
    const plain = new Kysely<BenchDB>({ dialect: countingDialect(target.dialect(), plainCounter) })
    const audit = auditPlugin<BenchDB>({ tables: { items_audited: {} }, entries })
    const audited = new Kysely<BenchDB>({
      dialect: audit.dialect(countingDialect(target.dialect(), auditedCounter)),
    })
    const logAudit = auditPlugin<BenchDB>({ tables: { items_audited: {} }, auditTable: 'big_log' })
    const logDb = new Kysely<BenchDB>({
      dialect: logAudit.dialect(countingDialect(target.dialect(), readCounter)),
    })
    await createItemTables(plain, kind)
    await createAuditTable(plain)
    await createAuditTable(plain, { auditTable: 'big_log' })
    await createAuditTable(plain, { auditTable: FLOOR_LOG })
    await createKyseraAuditTable(plain, kind)
    const floorWrites = floor(target.raw())
    const kyseraCounter = new StatementCounter()
    const kyseraDb = new Kysely<BenchDB>({
      dialect: countingDialect(target.dialect(), kyseraCounter),
    })
    const kysera = { db: kyseraDb, repo: await kyseraRepository(kyseraDb), counter: kyseraCounter }

    const writes = await writeWorkloads(
      {
        plain,
        audited,
        plainCounter,
        auditedCounter,
        floor: floorWrites,
        kysera,
        samples: settings.samples,
        warmup: settings.warmup,
        batch: settings.batch,
      },
      settings.bulk,
    )
    printWrites('kysely', kind, writes, settings.samples, ['chronicle', 'kysera'], KYSERA_NOTE)
    record('kysely', kind, writes)

    const prisma = await prismaWrites(
      target,
      floorWrites,
      { plain: new StatementCounter(), audited: new StatementCounter() },
      settings,
    )
    printWrites('prisma', kind, prisma, settings.samples, ['unaudited', 'chronicle'])
    record('prisma', kind, prisma)

    const drizzle = await drizzleWrites(target, floorWrites, settings)
    // Drizzle's drivers are not wrapped to count statements: its rows have none.
    printWrites('drizzle', kind, drizzle, settings.samples, [])
    record('drizzle', kind, drizzle)

    if (writesOnly) {
      await Promise.all([
        plain.destroy(),
        audited.destroy(),
        kyseraDb.destroy(),
        floorWrites.close(),
      ])
      continue
    }
    await seedLog(plain, kind, 'big_log', settings.log)
    const reads = await readWorkloads(
      logAudit,
      plain,
      kind,
      readCounter,
      settings.log,
      settings.readSamples,
    )
    console.log(
      `\nkysely × ${kind}: reads on a ${settings.log.toLocaleString('en')}-entry log (ms)`,
    )
    for (const r of reads) {
      console.log(
        `${r.workload.padEnd(30)} median ${fmt(r.median).padStart(8)}  p95 ${fmt(r.p95).padStart(8)}  index: ${r.index}`,
      )
      rows.push({
        kind: 'read',
        workload: r.workload,
        adapter: 'kysely',
        db: kind,
        median: r.median,
        p95: r.p95,
        index: r.index,
        logEntries: settings.log,
      })
    }
    const memory = await exportMemory(logAudit)
    console.log(
      `export of ${memory.entries.toLocaleString('en')} entries: peak retained heap growth ${fmt(memory.peakMb, 1)} MB in ${fmt(memory.seconds, 1)} s`,
    )
    rows.push({
      kind: 'export',
      workload: 'export',
      adapter: 'kysely',
      db: kind,
      entries: memory.entries,
      peakMb: memory.peakMb,
      seconds: memory.seconds,
    })

    // logDb ran only audit queries: Kysely's destroy does not reach its driver, the audit's does.
    await Promise.all([
      plain.destroy(),
      audited.destroy(),
      kyseraDb.destroy(),
      logDb.destroy(),
      logAudit.destroy(),
      floorWrites.close(),
    ])
  } finally {
    await target.drop()
    console.log(`(${kind}: ${((Date.now() - began) / 1000).toFixed(0)} s)`)
  }
}

mkdirSync(new URL('../results/', import.meta.url), { recursive: true })
const file = new URL(
  `../results/${quick ? 'quick' : 'full'}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
  import.meta.url,
)
writeFileSync(
  file,
  `${JSON.stringify({ quick, node: process.version, settings, results: rows }, null, 2)}\n`,
)
console.log(`\nresults: ${file.pathname}`)
