import { getDialect, type SqlConnection, type SqlDialect } from '@chronicle/core/adapter'
import type {
  AdapterFactory,
  AuditedClient,
  Row,
  TableName,
  TestTables,
  Where,
} from '@chronicle/test-kit'
import type { SqlDriverAdapter, SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils'
import { auditPlugin, type PrismaAudit, type PrismaAuditOptions } from '../src/index.js'
import { sqlConnection } from '../src/prisma-connection.js'
import { runtimeDataModel } from '../src/prisma-internals.js'
import { driverAdapter, hooked } from './driver-adapters.js'
import type { Provider } from './schema.js'

const PROVIDER = { sqlite: 'sqlite', postgres: 'postgresql', mariadb: 'mysql' } as const

// The generated client differs per provider.
type AnyClient = any

/** The generated client for a provider (test/generate.ts runs before the tests). */
async function clientClass(provider: Provider): Promise<new (options: object) => AnyClient> {
  const module = await import(`./.generated/${provider}/client/client.ts`)
  return module.PrismaClient
}

const KEYS: Record<string, string> = { orders: 'order_id', memberships: 'org_id', slugs: 'slug' }

function client(
  dialect: SqlDialect,
  prisma: AnyClient,
  audit: PrismaAudit<TestTables>,
  mysql: boolean,
  inTransaction: boolean,
  root: AnyClient,
  reader: Reader,
): AuditedClient {
  const fields = (table: string) =>
    new Map(
      (runtimeDataModel(root)?.models[table]?.fields ?? []).map((f) => [f.name, f.type] as const),
    )
  /**
   * Values as Prisma takes them: integers beyond a number's reach as bigint; on MariaDB, the
   * JSON text the suites write (as mysql2 takes it) as the value a Json field takes.
   */
  const value = (table: string, column: string, v: unknown): unknown => {
    const type = fields(table).get(column)
    if (type === 'BigInt' && (typeof v === 'string' || typeof v === 'number')) return BigInt(v)
    if (type === 'Json' && mysql && typeof v === 'string') return JSON.parse(v)
    return v
  }
  const data = (table: string, row: Row) =>
    Object.fromEntries(Object.entries(row).map(([c, v]) => [c, value(table, c, v)]))
  const where = (table: string, conditions: Where) =>
    Object.fromEntries(
      Object.entries(conditions).map(([column, condition]) => {
        if (condition !== null && typeof condition === 'object' && !(condition instanceof Date)) {
          if ('in' in condition)
            return [column, { in: (condition.in as unknown[]).map((v) => value(table, column, v)) }]
          return [column, condition]
        }
        return [column, value(table, column, condition)]
      }),
    )
  /** Rows as the drivers give them: exact integers as numbers where safe, else text. */
  const plain = (row: Row): Row =>
    Object.fromEntries(
      Object.entries(row).map(([c, v]) => {
        if (typeof v === 'bigint')
          return [c, Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()]
        if (v instanceof Uint8Array && !Buffer.isBuffer(v)) return [c, Buffer.from(v)]
        return [c, v]
      }),
    )
  const model = (table: string) => prisma[table]
  /** Tables and columns the Prisma schema lacks (created or added at runtime) take raw SQL. */
  const needsRaw = (table: string, columns: readonly string[]) => {
    const known = fields(table)
    return known.size === 0 || columns.some((c) => !known.has(c))
  }
  const raw = (sql: string, values: unknown[]) => prisma.$executeRawUnsafe(sql, ...values)
  const q = (name: string) => dialect.quote(name)
  const rawWhere = (conditions: Where, values: unknown[]) => {
    const terms = Object.entries(conditions).map(([column, condition]) => {
      const param = (v: unknown) => {
        values.push(v)
        return dialect.placeholder(values.length)
      }
      if (condition === null) return `${q(column)} IS NULL`
      if (typeof condition === 'object' && !(condition instanceof Date)) {
        if ('in' in condition)
          return `${q(column)} IN (${(condition.in as unknown[]).map(param).join(', ')})`
        if ('gt' in condition) return `${q(column)} > ${param(condition.gt)}`
        if ('lt' in condition) return `${q(column)} < ${param(condition.lt)}`
      }
      return `${q(column)} = ${param(condition)}`
    })
    return terms.length > 0 ? ` WHERE ${terms.join(' AND ')}` : ''
  }
  const rawValue = (v: unknown) =>
    v !== null && typeof v === 'object' && !(v instanceof Date) && !Buffer.isBuffer(v)
      ? JSON.stringify(v)
      : v
  const conflictWhere = (table: string, row: Row, conflict: readonly string[]) => {
    const [only] = conflict
    if (conflict.length === 1 && only !== undefined)
      return { [only]: value(table, only, row[only]) }
    return { [conflict.join('_')]: Object.fromEntries(conflict.map((c) => [c, row[c]])) }
  }

  const self: AuditedClient = {
    audit: audit as unknown as AuditedClient['audit'],
    async insert(table, rows) {
      const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))]
      // Prisma refuses a null key itself; raw SQL is how such a row reaches the database.
      const nullKey = rows.some((r) => r[KEYS[table] ?? 'id'] === null)
      if (nullKey || needsRaw(table, columns)) {
        const values: unknown[] = []
        const tuples = rows.map(
          (row) =>
            `(${columns
              .map((c) => {
                values.push(rawValue(row[c] ?? null))
                return dialect.placeholder(values.length)
              })
              .join(', ')})`,
        )
        await raw(
          `INSERT INTO ${q(table)} (${columns.map(q).join(', ')}) VALUES ${tuples.join(', ')}`,
          values,
        )
        return
      }
      await model(table).createMany({ data: rows.map((r) => data(table, r)) })
    },
    async insertReturning(table, rows) {
      if (mysql) {
        await self.insert(table, rows)
        return self.select(table)
      }
      const created = await model(table).createManyAndReturn({
        data: rows.map((r) => data(table, r)),
      })
      return created.map(plain)
    },
    async update(table: TableName, conditions, values) {
      if (needsRaw(table, [...Object.keys(values), ...Object.keys(conditions)])) {
        const params: unknown[] = []
        const sets = Object.entries(values).map(([c, v]) => {
          const increment = v !== null && typeof v === 'object' && 'increment' in v
          params.push(increment ? (v as { increment: number }).increment : rawValue(v))
          const p = dialect.placeholder(params.length)
          return increment ? `${q(c)} = ${q(c)} + ${p}` : `${q(c)} = ${p}`
        })
        return raw(
          `UPDATE ${q(table)} SET ${sets.join(', ')}${rawWhere(conditions, params)}`,
          params,
        )
      }
      const { count } = await model(table).updateMany({
        where: where(table, conditions),
        data: data(table, values),
      })
      return count
    },
    async delete(table, conditions) {
      if (needsRaw(table, Object.keys(conditions))) {
        const params: unknown[] = []
        return raw(`DELETE FROM ${q(table)}${rawWhere(conditions, params)}`, params)
      }
      const { count } = await model(table).deleteMany({ where: where(table, conditions) })
      return count
    },
    async upsert(table, rows, conflict, update) {
      const one = (c: AnyClient, row: Row) =>
        c[table].upsert({
          where: conflictWhere(table, row, conflict),
          create: data(table, row),
          update: data(table, Object.fromEntries(update.map((u) => [u, row[u]]))),
        })
      if (inTransaction) for (const row of rows) await one(prisma, row)
      else await prisma.$transaction(rows.map((row) => one(prisma, row)))
    },
    async insertIgnore(table, rows, conflict) {
      if (!mysql && !inTransaction && rows.length > 0) {
        // Prisma has no skipDuplicates on SQLite: an upsert that updates nothing is its form.
        await prisma.$transaction(
          rows.map((row) =>
            model(table).upsert({
              where: conflictWhere(table, row, conflict),
              create: data(table, row),
              update: {},
            }),
          ),
        )
        return
      }
      await model(table).createMany({ data: rows.map((r) => data(table, r)), skipDuplicates: true })
    },
    async select(table, conditions = {}) {
      if (needsRaw(table, Object.keys(conditions))) {
        // Rows of tables the schema lacks, as the driver adapter gives them to Chronicle.
        const params: unknown[] = []
        const sql = `SELECT * FROM ${q(table)}${rawWhere(conditions, params)} ORDER BY ${q(KEYS[table] ?? 'id')}`
        return (await reader.query<Row>(sql, params)).rows
      }
      const rows = await model(table).findMany({
        where: where(table, conditions),
        orderBy: { [KEYS[table] ?? 'id']: 'asc' },
      })
      return rows.map(plain)
    },
    async log(event) {
      await audit.log(event, inTransaction ? { tx: prisma } : {})
    },
    async transaction(work) {
      if (inTransaction) return work(self)
      return prisma.$transaction(
        (tx: AnyClient) => work(client(dialect, tx, audit, mysql, true, root, reader)),
        {
          timeout: 120_000,
          maxWait: 60_000,
        },
      )
    },
    async savepoint(work) {
      return prisma.$transaction((tx: AnyClient) =>
        work(client(dialect, tx, audit, mysql, true, root, reader)),
      )
    },
    async destroy() {
      await root.$disconnect()
      await audit.destroy()
      await reader.close()
    },
  }
  return self
}

/** A connection of the driver adapter's own, beside Prisma's, opened on first use. */
interface Reader extends SqlConnection {
  close(): Promise<void>
}

function reader(factory: SqlDriverAdapterFactory): Reader {
  let adapter: Promise<SqlDriverAdapter> | undefined
  return {
    async query(sql, params) {
      adapter ??= factory.connect()
      const connected = await adapter
      return sqlConnection(() => connected).query(sql, params)
    },
    async close() {
      // The pool may be Prisma's too, and ended with it already.
      if (adapter) await (await adapter).dispose().catch(() => undefined)
    },
  }
}

/** The Prisma adapter as the contract suites see it. */
export const prismaAdapter: AdapterFactory = {
  name: 'prisma',
  // Prisma reads, then INSERTs or UPDATEs: MySQL's upsert has no RETURNING to tell which.
  emulatesUpsert: (kind) => kind === 'mariadb',
  fixedDriverSettings: { mariadb: ['exactIntegers', 'dateStrings'] },
  safeIntegers: 'number',
  utcSessions: ['postgres'],
  unreadableColumns: {
    postgres: {
      iv: '@prisma/adapter-pg cannot read interval columns (Prisma: "Failed to deserialize column of type \'interval\'")',
    },
  },
  async create(database, options, settings = {}) {
    const audit = auditPlugin<TestTables>(options as PrismaAuditOptions)
    const inner = await driverAdapter(database, settings)
    const adapter = audit.adapter(
      settings.beforeQuery ? hooked(inner, settings.beforeQuery) : inner,
    )
    const PrismaClient = await clientClass(PROVIDER[database.kind])
    const prisma = new PrismaClient({ adapter }).$extends(audit.extension())
    return client(
      getDialect(database.dialect),
      prisma,
      audit,
      database.kind === 'mariadb',
      false,
      prisma,
      reader(inner),
    )
  },
}
