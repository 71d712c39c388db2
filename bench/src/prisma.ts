import { auditPlugin } from '@chronicle/prisma'
import type {
  SqlDriverAdapter,
  SqlDriverAdapterFactory,
  SqlQueryable,
  Transaction,
} from '@prisma/driver-adapter-utils'
import type { StatementCounter } from './counting-dialect.ts'
import { compareSides, median, time } from './measure.ts'
import { generatedClient } from './prisma-schema.ts'
import type { BenchTarget } from './targets.ts'

export interface PrismaMeasurement {
  readonly workload: string
  readonly variant: 'unaudited' | 'chronicle'
  readonly median: number
  readonly p95: number
  /** Statements per operation (BEGIN/COMMIT included). */
  readonly roundTrips: number
}

function counted<Q extends SqlQueryable>(inner: Q, counter: StatementCounter): Q {
  return new Proxy(inner, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key)
      if (typeof value !== 'function') return value
      if (key === 'queryRaw' || key === 'executeRaw') {
        return (query: unknown) => {
          counter.count++
          return value.call(target, query)
        }
      }
      return value.bind(target)
    },
  })
}

/** Counts every statement the driver adapter runs; BEGIN sent inside `startTransaction` too. */
function countingAdapter(
  factory: SqlDriverAdapterFactory,
  counter: StatementCounter,
): SqlDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    async connect() {
      const adapter = counted(await factory.connect(), counter)
      return new Proxy(adapter, {
        get(target, key) {
          if (key !== 'startTransaction') return Reflect.get(target, key)
          return async (isolation?: Parameters<SqlDriverAdapter['startTransaction']>[0]) => {
            counter.count++
            const tx = counted<Transaction>(await target.startTransaction(isolation), counter)
            if (!tx.options.usePhantomQuery) return tx
            // Phantom adapters send COMMIT/ROLLBACK themselves.
            return new Proxy(tx, {
              get(t, k) {
                const v: unknown = Reflect.get(t, k)
                if ((k === 'commit' || k === 'rollback') && typeof v === 'function')
                  return () => {
                    counter.count++
                    return v.call(t)
                  }
                return typeof v === 'function' ? v.bind(t) : v
              },
            })
          }
        },
      })
    },
  }
}

// The generated client differs per provider.
// biome-ignore lint/suspicious/noExplicitAny: see above
type AnyClient = any

/**
 * Prisma unaudited vs Prisma with Chronicle, on the same database, interleaved: single-row
 * create, update and delete, updates inside one interactive transaction, and one updateMany
 * per bulk size.
 */
export async function prismaWrites(
  target: BenchTarget,
  counters: { plain: StatementCounter; audited: StatementCounter },
  settings: { samples: number; warmup: number; batch: number; bulk: readonly number[] },
): Promise<PrismaMeasurement[]> {
  const { PrismaClient } = await import(generatedClient(target.kind))
  const plain: AnyClient = new PrismaClient({
    adapter: countingAdapter(target.prismaAdapter(), counters.plain),
  })
  const audit = auditPlugin({ tables: { items_audited: {} } })
  const audited: AnyClient = audit.extend(
    new PrismaClient({
      adapter: audit.adapter(countingAdapter(target.prismaAdapter(), counters.audited)),
    }),
  )
  const clients = { unaudited: plain.items_plain, chronicle: audited.items_audited }
  const results: PrismaMeasurement[] = []
  // Ids of its own: Kysely's workloads use 10M–20M+, Drizzle's 30M–50M+ in the same tables.
  let next = 60_000_000
  const measure = async (
    workload: string,
    perSample: number,
    run: (model: AnyClient, round: number, variant: 'unaudited' | 'chronicle') => Promise<void>,
    prepare?: (model: AnyClient) => Promise<void>,
  ) => {
    const rounds = { unaudited: 0, chronicle: 0 }
    const trips: Record<'unaudited' | 'chronicle', number[]> = { unaudited: [], chronicle: [] }
    const sample = (variant: 'unaudited' | 'chronicle') => async () => {
      const counter = variant === 'chronicle' ? counters.audited : counters.plain
      await prepare?.(variant === 'chronicle' ? plain.items_audited : plain.items_plain)
      counter.reset()
      const ms = await time(() => run(clients[variant], rounds[variant]++, variant))
      trips[variant].push(counter.count / perSample)
      return ms / perSample
    }
    const out = await compareSides(sample, settings)
    for (const variant of ['unaudited', 'chronicle'] as const) {
      results.push({ workload, variant, ...out[variant], roundTrips: median(trips[variant]) })
    }
  }
  const { batch } = settings
  await measure('create 1 row', batch, async (model) => {
    for (let i = 0; i < batch; i++)
      await model.create({ data: { id: next++, name: `item ${i}`, score: i, note: null } })
  })
  await measure('update 1 row', batch, async (model, round) => {
    for (let i = 1; i <= batch; i++)
      await model.update({ where: { id: i }, data: { score: round * batch + i } })
  })
  const owners = { unaudited: [plain, 'items_plain'], chronicle: [audited, 'items_audited'] }
  await measure(`update in tx of ${batch}`, batch, async (_, round, variant) => {
    const [client, name] = owners[variant]
    await client.$transaction(async (tx: AnyClient) => {
      for (let i = 1; i <= batch; i++)
        await tx[name].update({ where: { id: i }, data: { score: round * batch + i } })
    })
  })
  let base = 0
  await measure(
    'delete 1 row',
    batch,
    async (model) => {
      for (let i = 0; i < batch; i++) await model.delete({ where: { id: base + i } })
    },
    async (model) => {
      base = next
      await model.createMany({
        data: Array.from({ length: batch }, (_, i) => ({ id: next + i, name: 'd', score: 0 })),
      })
      next += batch
    },
  )
  for (const size of settings.bulk) {
    await measure(`updateMany ${size} rows`, 1, async (model) => {
      await model.updateMany({ where: { id: { lte: size } }, data: { score: { increment: 1 } } })
    })
  }
  await Promise.all([plain.$disconnect(), audited.$disconnect(), audit.destroy()])
  return results
}
