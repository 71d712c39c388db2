import { type Kysely, sql } from 'kysely'
import type { StatementCounter } from './counting-dialect.ts'
import type { Floor } from './floor.ts'
import { type KyseraRepository, kyseraRepository } from './kysera.ts'
import { interleave, median, quantile, time } from './measure.ts'
import type { BenchDB } from './schema.ts'

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

export interface Measurement {
  readonly workload: string
  readonly variant: Variant
  /** Milliseconds per operation. */
  readonly median: number
  readonly p95: number
  /** Statements per operation (BEGIN/COMMIT included); NaN for the floor, which is not counted. */
  readonly roundTrips: number
}

type Table = keyof BenchDB
const VARIANTS = {
  unaudited: 'items_plain',
  chronicle: 'items_audited',
  trigger: 'items_trigger',
  floor: 'items_floor',
  kysera: 'items_kysera',
} as const
export type Variant = keyof typeof VARIANTS

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

async function measure(
  context: WriteContext,
  workload: string,
  perSample: number,
  work: Work,
  prepare?: (table: Table, round: number) => Promise<void>,
): Promise<Measurement[]> {
  const rounds: Record<Variant, number> = {
    unaudited: 0,
    chronicle: 0,
    trigger: 0,
    floor: 0,
    kysera: 0,
  }
  const trips: Record<Variant, number[]> = {
    unaudited: [],
    chronicle: [],
    trigger: [],
    floor: [],
    kysera: [],
  }
  const counters: Record<Variant, StatementCounter | undefined> = {
    unaudited: context.plainCounter,
    chronicle: context.auditedCounter,
    trigger: context.plainCounter,
    floor: undefined,
    kysera: context.kysera.counter,
  }
  const sample = (variant: Variant) => async () => {
    const table = VARIANTS[variant]
    const round = rounds[variant]++
    await prepare?.(table, round)
    const counter = counters[variant]
    counter?.reset()
    const ms = await time(() => {
      if (variant === 'floor')
        return (work.floor as NonNullable<Work['floor']>)(context.floor, round)
      if (variant === 'kysera')
        return (work.kysera as NonNullable<Work['kysera']>)(context.kysera, round)
      return work.kysely(variant === 'chronicle' ? context.audited : context.plain, table, round)
    })
    if (counter) trips[variant].push(counter.count / perSample)
    return ms / perSample
  }
  const variants = (Object.keys(VARIANTS) as Variant[]).filter(
    (v) => (v !== 'floor' || work.floor) && (v !== 'kysera' || work.kysera),
  )
  const results = await interleave(
    Object.fromEntries(variants.map((v) => [v, sample(v)])) as Record<
      Variant,
      () => Promise<number>
    >,
    context.samples,
    context.warmup,
  )
  return variants.map((variant) => ({
    workload,
    variant,
    median: median(results[variant]),
    p95: quantile(results[variant], 0.95),
    roundTrips: median(trips[variant]),
  }))
}

/** Single-row insert, update and delete, then one-statement bulk update and delete of each size. */
export async function writeWorkloads(
  context: WriteContext,
  bulkSizes: readonly number[],
): Promise<Measurement[]> {
  const { batch } = context
  const results: Measurement[] = []
  let next = 10_000_000
  for (const table of Object.values(VARIANTS))
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
          const base = deleteBase.get(VARIANTS.floor) as number
          for (let i = 0; i < batch; i++) await floor.delete(base + i)
        },
        kysera: async ({ repo }) => {
          const base = deleteBase.get(VARIANTS.kysera) as number
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
