import { type Kysely, sql } from 'kysely'
import type { StatementCounter } from './counting-dialect.ts'
import type { Floor } from './floor.ts'
import { type KyseraRepository, kyseraRepository } from './kysera.ts'
import { type Measurement, measureVariants, type Variant } from './measure.ts'
import { type BenchDB, VARIANT_TABLE } from './schema.ts'

export interface WriteContext {
  /** Unaudited Kysely: writes items_plain and items_trigger (whose trigger audits). */
  readonly plain: Kysely<BenchDB>
  /** Kysely with Chronicle attached: writes items_audited. */
  readonly audited: Kysely<BenchDB>
  readonly plainCounter: StatementCounter
  readonly auditedCounter: StatementCounter
  /** The hand-built floor: the same driver, no Kysely, prepared statements. */
  readonly floor: Floor
  /** The peer @kysera/audit: its repository over items_kysera, on a Kysely of its own. */
  readonly kysera: {
    readonly db: Kysely<BenchDB>
    readonly repo: KyseraRepository
    readonly counter: StatementCounter
  }
  readonly samples: number
  readonly warmup: number
  /** Single-row operations per sample. */
  readonly batch: number
}

type Table = keyof BenchDB

const row = (i: number) => ({
  name: `item ${i}`,
  score: i % 1000,
  note: i % 3 === 0 ? null : `note ${i}`,
})

/** Seeds rows unaudited (through the plain instance), ids from `first`. */
export async function seed(
  db: Kysely<BenchDB>,
  table: Table,
  first: number,
  count: number,
): Promise<void> {
  for (let start = 0; start < count; start += 1000) {
    const n = Math.min(1000, count - start)
    await db
      .insertInto(table)
      .values(
        Array.from({ length: n }, (_, i) => ({ id: first + start + i, ...row(first + start + i) })),
      )
      .execute()
  }
}

/** One workload, as each variant does it; a variant without a way is left out of the run. */
interface Work {
  /** Unaudited, Chronicle and the trigger: the same Kysely statements on their own tables. */
  readonly kysely: (db: Kysely<BenchDB>, table: Table, round: number) => Promise<void>
  readonly floor?: (floor: Floor, round: number) => Promise<void>
  readonly kysera?: (kysera: WriteContext['kysera'], round: number) => Promise<void>
}

function measure(
  context: WriteContext,
  workload: string,
  perSample: number,
  work: Work,
  prepare?: (table: Table, round: number) => Promise<void>,
): Promise<Measurement[]> {
  const on = (
    variant: Variant,
    run: (round: number) => Promise<void>,
    counter?: StatementCounter,
  ) => ({
    prepare: prepare && ((round: number) => prepare(VARIANT_TABLE[variant], round)),
    run,
    counter,
  })
  const kysely = (
    variant: 'unaudited' | 'chronicle' | 'trigger',
    db: Kysely<BenchDB>,
    counter: StatementCounter,
  ) => on(variant, (round) => work.kysely(db, VARIANT_TABLE[variant], round), counter)
  const { floor, kysera } = work
  return measureVariants(
    workload,
    perSample,
    {
      unaudited: kysely('unaudited', context.plain, context.plainCounter),
      chronicle: kysely('chronicle', context.audited, context.auditedCounter),
      trigger: kysely('trigger', context.plain, context.plainCounter),
      floor: floor && on('floor', (round) => floor(context.floor, round)),
      kysera:
        kysera && on('kysera', (round) => kysera(context.kysera, round), context.kysera.counter),
    },
    context,
  )
}

/** Single-row insert, update and delete, then one-statement bulk update and delete of each size. */
export async function writeWorkloads(
  context: WriteContext,
  bulkSizes: readonly number[],
): Promise<Measurement[]> {
  const { batch } = context
  const results: Measurement[] = []
  let next = 10_000_000
  for (const table of Object.values(VARIANT_TABLE))
    await seed(context.plain, table, 1, Math.max(...bulkSizes, batch))

  results.push(
    ...(await measure(context, 'insert 1 row', batch, {
      // Explicit ids: the seeded rows did not advance PostgreSQL's sequence.
      kysely: async (db, table) => {
        for (let i = 0; i < batch; i++)
          await db
            .insertInto(table)
            .values({ id: next++, ...row(i) })
            .execute()
      },
      floor: async (floor) => {
        for (let i = 0; i < batch; i++) await floor.insert(next++, row(i))
      },
      kysera: async ({ repo }) => {
        for (let i = 0; i < batch; i++) await repo.create({ id: next++, ...row(i) })
      },
    })),
  )
  const score = (round: number, i: number) => round * batch + i
  // The same `batch` updates, standalone (autocommit) and inside one transaction.
  const updates = {
    kysely: async (db: Kysely<BenchDB>, table: Table, round: number) => {
      for (let i = 1; i <= batch; i++)
        await db
          .updateTable(table)
          .set({ score: score(round, i) })
          .where('id', '=', i)
          .execute()
    },
    kysera: async (repo: KyseraRepository, round: number) => {
      for (let i = 1; i <= batch; i++) await repo.update(i, { score: score(round, i) })
    },
  }
  results.push(
    ...(await measure(context, 'update 1 row', batch, {
      kysely: updates.kysely,
      floor: async (floor, round) => {
        for (let i = 1; i <= batch; i++) await floor.update(i, score(round, i))
      },
      kysera: ({ repo }, round) => updates.kysera(repo, round),
    })),
  )
  const deleteBase = new Map<string, number>()
  results.push(
    ...(await measure(
      context,
      'delete 1 row',
      batch,
      {
        kysely: async (db, table) => {
          const base = deleteBase.get(table) as number
          for (let i = 0; i < batch; i++)
            await db
              .deleteFrom(table)
              .where('id', '=', base + i)
              .execute()
        },
        floor: async (floor) => {
          const base = deleteBase.get(VARIANT_TABLE.floor) as number
          for (let i = 0; i < batch; i++) await floor.delete(base + i)
        },
        kysera: async ({ repo }) => {
          const base = deleteBase.get(VARIANT_TABLE.kysera) as number
          for (let i = 0; i < batch; i++) await repo.delete(base + i)
        },
      },
      async (table) => {
        deleteBase.set(table, next)
        await seed(context.plain, table, next, batch)
        next += batch
      },
    )),
  )
  // The floor is a standalone write (its own BEGIN/COMMIT), so it has no way to join one.
  results.push(
    ...(await measure(context, `update in tx of ${batch}`, batch, {
      kysely: (db, table, round) =>
        db.transaction().execute((trx) => updates.kysely(trx, table, round)),
      // As its README does it: a repository built on the transaction, per transaction.
      kysera: ({ db }, round) =>
        db.transaction().execute(async (trx) => updates.kysera(await kyseraRepository(trx), round)),
    })),
  )
  // @kysera/audit has no WHERE writes: a Kysely statement on its table is not audited, and its
  // bulkUpdate/bulkDelete take id lists, so it has no way to do this work and is left out.
  for (const size of bulkSizes) {
    results.push(
      ...(await measure(context, `update ${size} rows`, 1, {
        kysely: async (db, table) => {
          await db
            .updateTable(table)
            .set({ score: sql`score + 1` })
            .where('id', '<=', size)
            .execute()
        },
      })),
    )
    results.push(
      ...(await measure(
        context,
        `delete ${size} rows`,
        1,
        {
          kysely: async (db, table) => {
            await db.deleteFrom(table).where('id', '>=', 20_000_000).execute()
          },
        },
        (table) => seed(context.plain, table, 20_000_000, size),
      )),
    )
  }
  return results
}
