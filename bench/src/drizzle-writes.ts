import { auditPlugin } from '@chronicle/drizzle'
import { and, eq, gte, lte, sql } from 'drizzle-orm'
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3'
import { int, mysqlTable, varchar } from 'drizzle-orm/mysql-core'
import { drizzle as drizzleMysql } from 'drizzle-orm/mysql2'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import { integer, pgTable, varchar as pgVarchar } from 'drizzle-orm/pg-core'
import { integer as sqliteInteger, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { compareSides, time } from './measure.ts'
import type { BenchTarget } from './targets.ts'

/** Drizzle's definition of one items table, per dialect. */
function itemsTable(kind: BenchTarget['kind'], name: string) {
  if (kind === 'postgres') {
    return pgTable(name, {
      id: integer('id').primaryKey(),
      name: pgVarchar('name', { length: 100 }).notNull(),
      score: integer('score').notNull(),
      note: pgVarchar('note', { length: 200 }),
    })
  }
  if (kind === 'mariadb') {
    return mysqlTable(name, {
      id: int('id').primaryKey(),
      name: varchar('name', { length: 100 }).notNull(),
      score: int('score').notNull(),
      note: varchar('note', { length: 200 }),
    })
  }
  return sqliteTable(name, {
    id: sqliteInteger('id').primaryKey(),
    name: text('name').notNull(),
    score: sqliteInteger('score').notNull(),
    note: text('note'),
  })
}

/** What the workloads call, common to Drizzle's three dbs. */
interface Writer {
  insert(table: never): { values(rows: unknown): PromiseLike<unknown> }
  update(table: never): { set(values: unknown): { where(where: unknown): PromiseLike<unknown> } }
  delete(table: never): { where(where: unknown): PromiseLike<unknown> }
  /** better-sqlite3's runs its callback synchronously (statements end in `.run()`); the others await it. */
  transaction(run: (tx: never) => unknown): unknown
}

function drizzleOver(kind: BenchTarget['kind'], client: object): Writer {
  if (kind === 'postgres') return drizzlePg(client as never) as unknown as Writer
  if (kind === 'mariadb') return drizzleMysql(client as never) as unknown as Writer
  return drizzleSqlite(client as never) as unknown as Writer
}

export interface DrizzleMeasurement {
  readonly workload: string
  readonly variant: 'unaudited' | 'chronicle'
  readonly median: number
  readonly p95: number
}

const row = (i: number) => ({ name: `item ${i}`, score: i % 1000, note: `note ${i}` })

/**
 * Audited vs unaudited Drizzle on the same run's tables (items_audited / items_plain):
 * single-row insert, update and delete, updates inside one transaction, and one-statement bulk
 * updates and deletes.
 */
export async function drizzleWrites(
  target: BenchTarget,
  settings: { samples: number; warmup: number; batch: number; bulk: readonly number[] },
): Promise<DrizzleMeasurement[]> {
  const { kind } = target
  const audit = auditPlugin({ tables: { items_audited: {} } })
  const db = {
    unaudited: drizzleOver(kind, target.client()),
    chronicle: drizzleOver(kind, target.client()),
  }
  db.chronicle = audit.attach(db.chronicle)
  const tables = {
    unaudited: itemsTable(kind, 'items_plain'),
    chronicle: itemsTable(kind, 'items_audited'),
  }
  const { batch } = settings
  let next = 30_000_000
  type Variant = 'unaudited' | 'chronicle'
  // Seeded unaudited, into either table.
  const seed = async (variant: Variant, first: number, count: number) => {
    for (let start = 0; start < count; start += 1000) {
      const n = Math.min(1000, count - start)
      await db.unaudited
        .insert(tables[variant] as never)
        .values(Array.from({ length: n }, (_, i) => ({ id: first + start + i, ...row(i) })))
    }
  }
  const results: DrizzleMeasurement[] = []
  const measure = async (
    workload: string,
    perSample: number,
    run: (variant: Variant, round: number) => Promise<void>,
    prepare?: (variant: Variant) => Promise<void>,
  ) => {
    const rounds = { unaudited: 0, chronicle: 0 }
    const sample = (variant: Variant) => async () => {
      const round = rounds[variant]++
      await prepare?.(variant)
      return (await time(() => run(variant, round))) / perSample
    }
    const out = await compareSides(sample, settings)
    for (const variant of ['unaudited', 'chronicle'] as const) {
      results.push({ workload, variant, ...out[variant] })
    }
  }
  for (const variant of ['unaudited', 'chronicle'] as const)
    await seed(variant, 40_000_000, Math.max(...settings.bulk, batch))
  await measure('insert 1 row', batch, async (variant) => {
    for (let i = 0; i < batch; i++)
      await db[variant].insert(tables[variant] as never).values({ id: next++, ...row(i) })
  })
  await measure('update 1 row', batch, async (variant, round) => {
    const t = tables[variant]
    for (let i = 0; i < batch; i++)
      await db[variant]
        .update(t as never)
        .set({ score: round + i })
        .where(eq(t.id, 40_000_000 + i))
  })
  await measure(`update in tx of ${batch}`, batch, async (variant, round) => {
    const t = tables[variant]
    const update = (tx: Writer, i: number) =>
      tx
        .update(t as never)
        .set({ score: round + i })
        .where(eq(t.id, 40_000_000 + i)) as PromiseLike<unknown> & { run(): unknown }
    if (kind === 'sqlite') {
      db[variant].transaction((tx: Writer) => {
        for (let i = 0; i < batch; i++) update(tx, i).run()
      })
      return
    }
    await db[variant].transaction(async (tx: Writer) => {
      for (let i = 0; i < batch; i++) await update(tx, i)
    })
  })
  const deletes = { unaudited: 0, chronicle: 0 }
  await measure(
    'delete 1 row',
    batch,
    async (variant) => {
      const t = tables[variant]
      const base = deletes[variant]
      for (let i = 0; i < batch; i++) await db[variant].delete(t as never).where(eq(t.id, base + i))
    },
    async (variant) => {
      deletes[variant] = next
      await seed(variant, next, batch)
      next += batch
    },
  )
  for (const size of settings.bulk) {
    await measure(`update ${size} rows`, 1, async (variant) => {
      const t = tables[variant]
      await db[variant]
        .update(t as never)
        .set({ score: sql`${t.score} + 1` })
        .where(and(gte(t.id, 40_000_000), lte(t.id, 40_000_000 + size - 1)))
    })
    await measure(
      `delete ${size} rows`,
      1,
      async (variant) => {
        const t = tables[variant]
        await db[variant].delete(t as never).where(gte(t.id, 50_000_000))
      },
      (variant) => seed(variant, 50_000_000, size),
    )
  }
  return results
}
