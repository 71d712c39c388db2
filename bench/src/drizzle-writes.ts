import { auditPlugin } from '@chronicle/drizzle'
import { and, eq, gte, lte, sql } from 'drizzle-orm'
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3'
import { int, mysqlTable, varchar } from 'drizzle-orm/mysql-core'
import { drizzle as drizzleMysql } from 'drizzle-orm/mysql2'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import { integer, pgTable, varchar as pgVarchar } from 'drizzle-orm/pg-core'
import { integer as sqliteInteger, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import type { Floor } from './floor.ts'
import { type Measurement, measureVariants, type Variant, type VariantSample } from './measure.ts'
import { VARIANT_TABLE } from './schema.ts'
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

const row = (i: number) => ({ name: `item ${i}`, score: i % 1000, note: `note ${i}` })

/** The variants that write through Drizzle; the floor writes on the driver. */
const ORM = ['unaudited', 'chronicle', 'trigger'] as const
type OrmVariant = (typeof ORM)[number]
type Table = ReturnType<typeof itemsTable>

/**
 * Drizzle unaudited, with Chronicle, and unaudited on the trigger's table, against the floor,
 * interleaved, on the same run's tables: single-row insert, update and delete, updates inside
 * one transaction, and one-statement bulk updates and deletes.
 */
export async function drizzleWrites(
  target: BenchTarget,
  floor: Floor,
  settings: { samples: number; warmup: number; batch: number; bulk: readonly number[] },
): Promise<Measurement[]> {
  const { kind } = target
  const audit = auditPlugin({ tables: { items_audited: {} } })
  const plain = drizzleOver(kind, target.client())
  const db: Record<OrmVariant, Writer> = {
    unaudited: plain,
    chronicle: audit.attach(drizzleOver(kind, target.client())),
    trigger: plain,
  }
  const tables = Object.fromEntries(
    (['unaudited', 'chronicle', 'trigger', 'floor'] as const).map((v) => [
      v,
      itemsTable(kind, VARIANT_TABLE[v]),
    ]),
  ) as Record<OrmVariant | 'floor', Table>
  const { batch } = settings
  let next = 30_000_000
  // Seeded unaudited, into any variant's table.
  const seed = async (variant: OrmVariant | 'floor', first: number, count: number) => {
    for (let start = 0; start < count; start += 1000) {
      const n = Math.min(1000, count - start)
      await plain
        .insert(tables[variant] as never)
        .values(Array.from({ length: n }, (_, i) => ({ id: first + start + i, ...row(i) })))
    }
  }
  const results: Measurement[] = []
  const measure = async (
    workload: string,
    perSample: number,
    work: {
      drizzle: (db: Writer, t: Table, round: number, variant: OrmVariant) => Promise<void>
      floor?: (round: number) => Promise<void>
    },
    prepare?: (variant: OrmVariant | 'floor') => Promise<void>,
  ) => {
    const variants: Partial<Record<Variant, VariantSample>> = {}
    for (const v of ORM)
      variants[v] = {
        prepare: prepare && (() => prepare(v)),
        run: (round) => work.drizzle(db[v], tables[v], round, v),
      }
    if (work.floor)
      variants.floor = { prepare: prepare && (() => prepare('floor')), run: work.floor }
    results.push(...(await measureVariants(workload, perSample, variants, settings)))
  }
  for (const variant of [...ORM, 'floor'] as const)
    await seed(variant, 40_000_000, Math.max(...settings.bulk, batch))
  await measure('insert 1 row', batch, {
    drizzle: async (writer, t) => {
      for (let i = 0; i < batch; i++)
        await writer.insert(t as never).values({ id: next++, ...row(i) })
    },
    floor: async () => {
      for (let i = 0; i < batch; i++) await floor.insert(next++, row(i))
    },
  })
  await measure('update 1 row', batch, {
    drizzle: async (writer, t, round) => {
      for (let i = 0; i < batch; i++)
        await writer
          .update(t as never)
          .set({ score: round + i })
          .where(eq(t.id, 40_000_000 + i))
    },
    floor: async (round) => {
      for (let i = 0; i < batch; i++) await floor.update(40_000_000 + i, round + i)
    },
  })
  // The floor is a standalone write (its own BEGIN/COMMIT), so it has no way to join one.
  await measure(`update in tx of ${batch}`, batch, {
    drizzle: async (writer, t, round) => {
      const update = (tx: Writer, i: number) =>
        tx
          .update(t as never)
          .set({ score: round + i })
          .where(eq(t.id, 40_000_000 + i)) as PromiseLike<unknown> & { run(): unknown }
      if (kind === 'sqlite') {
        writer.transaction((tx: Writer) => {
          for (let i = 0; i < batch; i++) update(tx, i).run()
        })
        return
      }
      await writer.transaction(async (tx: Writer) => {
        for (let i = 0; i < batch; i++) await update(tx, i)
      })
    },
  })
  const deletes: Partial<Record<OrmVariant | 'floor', number>> = {}
  await measure(
    'delete 1 row',
    batch,
    {
      drizzle: async (writer, t, _, variant) => {
        const base = deletes[variant] as number
        for (let i = 0; i < batch; i++) await writer.delete(t as never).where(eq(t.id, base + i))
      },
      floor: async () => {
        const base = deletes.floor as number
        for (let i = 0; i < batch; i++) await floor.delete(base + i)
      },
    },
    async (variant) => {
      deletes[variant] = next
      await seed(variant, next, batch)
      next += batch
    },
  )
  for (const size of settings.bulk) {
    await measure(`update ${size} rows`, 1, {
      drizzle: async (writer, t) => {
        await writer
          .update(t as never)
          .set({ score: sql`${t.score} + 1` })
          .where(and(gte(t.id, 40_000_000), lte(t.id, 40_000_000 + size - 1)))
      },
    })
    await measure(
      `delete ${size} rows`,
      1,
      {
        drizzle: async (writer, t) => {
          await writer.delete(t as never).where(gte(t.id, 50_000_000))
        },
      },
      (variant) => seed(variant, 50_000_000, size),
    )
  }
  return results
}
