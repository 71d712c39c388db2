import { auditPlugin } from '@chronicle/prisma'
import type {
  SqlDriverAdapter,
  SqlDriverAdapterFactory,
  SqlQueryable,
  Transaction,
} from '@prisma/driver-adapter-utils'
import type { StatementCounter } from './counting-dialect.ts'
import type { Floor } from './floor.ts'
import { type Measurement, measureVariants, type Variant, type VariantSample } from './measure.ts'
import { generatedClient } from './prisma-schema.ts'
import { VARIANT_TABLE } from './schema.ts'
import type { BenchTarget } from './targets.ts'

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

/** The variants that write through Prisma; the floor writes on the driver. */
const ORM = ['unaudited', 'chronicle', 'trigger'] as const
type OrmVariant = (typeof ORM)[number]

/**
 * Prisma unaudited, with Chronicle, and unaudited on the trigger's table, against the floor,
 * interleaved, on the same database: single-row create, update and delete, updates inside one
 * interactive transaction, and one updateMany per bulk size.
 */
export async function prismaWrites(
  target: BenchTarget,
  floor: Floor,
  counters: { plain: StatementCounter; audited: StatementCounter },
  settings: { samples: number; warmup: number; batch: number; bulk: readonly number[] },
): Promise<Measurement[]> {
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
  const clients: Record<OrmVariant, AnyClient> = {
    unaudited: plain,
    chronicle: audited,
    trigger: plain,
  }
  const results: Measurement[] = []
  // Ids of its own: Kysely's workloads use 10M–20M+, Drizzle's 30M–50M+ in the same tables.
  let next = 60_000_000
  const measure = async (
    workload: string,
    perSample: number,
    work: {
      /** `client` is the variant's client, `name` its model. */
      prisma: (client: AnyClient, name: string, round: number) => Promise<void>
      floor?: (round: number) => Promise<void>
    },
    // Seeds through plain Prisma on the variant's model.
    prepare?: (model: AnyClient) => Promise<void>,
  ) => {
    const before = (variant: Variant) => prepare && (() => prepare(plain[VARIANT_TABLE[variant]]))
    const variants: Partial<Record<Variant, VariantSample>> = {}
    for (const v of ORM)
      variants[v] = {
        prepare: before(v),
        run: (round) => work.prisma(clients[v], VARIANT_TABLE[v], round),
        counter: v === 'chronicle' ? counters.audited : counters.plain,
      }
    if (work.floor) variants.floor = { prepare: before('floor'), run: work.floor }
    results.push(...(await measureVariants(workload, perSample, variants, settings)))
  }
  const { batch } = settings
  await measure('create 1 row', batch, {
    prisma: async (client, name) => {
      for (let i = 0; i < batch; i++)
        await client[name].create({ data: { id: next++, name: `item ${i}`, score: i, note: null } })
    },
    floor: async () => {
      for (let i = 0; i < batch; i++)
        await floor.insert(next++, { name: `item ${i}`, score: i, note: null })
    },
  })
  await measure('update 1 row', batch, {
    prisma: async (client, name, round) => {
      for (let i = 1; i <= batch; i++)
        await client[name].update({ where: { id: i }, data: { score: round * batch + i } })
    },
    floor: async (round) => {
      for (let i = 1; i <= batch; i++) await floor.update(i, round * batch + i)
    },
  })
  // The floor is a standalone write (its own BEGIN/COMMIT), so it has no way to join one.
  await measure(`update in tx of ${batch}`, batch, {
    prisma: async (client, name, round) => {
      await client.$transaction(async (tx: AnyClient) => {
        for (let i = 1; i <= batch; i++)
          await tx[name].update({ where: { id: i }, data: { score: round * batch + i } })
      })
    },
  })
  let base = 0
  await measure(
    'delete 1 row',
    batch,
    {
      prisma: async (client, name) => {
        for (let i = 0; i < batch; i++) await client[name].delete({ where: { id: base + i } })
      },
      floor: async () => {
        for (let i = 0; i < batch; i++) await floor.delete(base + i)
      },
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
    await measure(`updateMany ${size} rows`, 1, {
      prisma: async (client, name) => {
        await client[name].updateMany({
          where: { id: { lte: size } },
          data: { score: { increment: 1 } },
        })
      },
    })
  }
  await Promise.all([plain.$disconnect(), audited.$disconnect(), audit.destroy()])
  return results
}
