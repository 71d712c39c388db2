import { type Kysely, sql } from 'kysely'
import type { StatementCounter } from './counting-dialect.ts'
import type { Floor } from './floor.ts'
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
  /** Statements per operation (BEGIN/COMMIT included). */
  readonly roundTrips: number
}

type Table = keyof BenchDB
const VARIANTS = {
  unaudited: 'items_plain',
  chronicle: 'items_audited',
  trigger: 'items_trigger',
  floor: 'items_floor',
} as const
type Variant = keyof typeof VARIANTS

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

async function measure(
  context: WriteContext,
  workload: string,
  perSample: number,
  run: (db: Kysely<BenchDB>, table: Table, round: number) => Promise<void>,
  prepare?: (table: Table, round: number) => Promise<void>,
  /** The floor's way of doing the same work (single-row workloads only). */
  runFloor?: (floor: Floor, round: number) => Promise<void>,
): Promise<Measurement[]> {
  const rounds: Record<Variant, number> = { unaudited: 0, chronicle: 0, trigger: 0, floor: 0 }
  const trips: Record<Variant, number[]> = { unaudited: [], chronicle: [], trigger: [], floor: [] }
  const sample = (variant: Variant) => async () => {
    const table = VARIANTS[variant]
    const round = rounds[variant]++
    await prepare?.(table, round)
    if (variant === 'floor') {
      const ms = await time(() => (runFloor as NonNullable<typeof runFloor>)(context.floor, round))
      return ms / perSample
    }
    const db = variant === 'chronicle' ? context.audited : context.plain
    const counter = variant === 'chronicle' ? context.auditedCounter : context.plainCounter
    counter.reset()
    const ms = await time(() => run(db, table, round))
    trips[variant].push(counter.count / perSample)
    return ms / perSample
  }
  const variants = (Object.keys(VARIANTS) as Variant[]).filter((v) => v !== 'floor' || runFloor)
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
    ...(await measure(
      context,
      'insert 1 row',
      batch,
      async (db, table) => {
        // Explicit ids: the seeded rows did not advance PostgreSQL's sequence.
        for (let i = 0; i < batch; i++)
          await db
            .insertInto(table)
            .values({ id: next++, ...row(i) })
            .execute()
      },
      undefined,
      async (floor) => {
        for (let i = 0; i < batch; i++) await floor.insert(next++, row(i))
      },
    )),
  )
  results.push(
    ...(await measure(
      context,
      'update 1 row',
      batch,
      async (db, table, round) => {
        for (let i = 1; i <= batch; i++) {
          await db
            .updateTable(table)
            .set({ score: round * batch + i })
            .where('id', '=', i)
            .execute()
        }
      },
      undefined,
      async (floor, round) => {
        for (let i = 1; i <= batch; i++) await floor.update(i, round * batch + i)
      },
    )),
  )
  const deleteBase = new Map<string, number>()
  results.push(
    ...(await measure(
      context,
      'delete 1 row',
      batch,
      async (db, table) => {
        const base = deleteBase.get(table) as number
        for (let i = 0; i < batch; i++)
          await db
            .deleteFrom(table)
            .where('id', '=', base + i)
            .execute()
      },
      async (table) => {
        deleteBase.set(table, next)
        await seed(context.plain, table, next, batch)
        next += batch
      },
      async (floor) => {
        const base = deleteBase.get(VARIANTS.floor) as number
        for (let i = 0; i < batch; i++) await floor.delete(base + i)
      },
    )),
  )
  for (const size of bulkSizes) {
    results.push(
      ...(await measure(context, `update ${size} rows`, 1, async (db, table) => {
        await db.updateTable(table).set({ score: sql`score + 1` }).where('id', '<=', size).execute()
      })),
    )
    results.push(
      ...(await measure(
        context,
        `delete ${size} rows`,
        1,
        async (db, table) => {
          await db.deleteFrom(table).where('id', '>=', 20_000_000).execute()
        },
        (table) => seed(context.plain, table, 20_000_000, size),
      )),
    )
  }
  return results
}
