import type { ClientSettings, TestDatabase } from '@chronicle/test-kit'
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3'
import { PrismaMariaDb } from '@prisma/adapter-mariadb'
import { PrismaPg } from '@prisma/adapter-pg'
import type {
  SqlDriverAdapter,
  SqlDriverAdapterFactory,
  SqlQueryable,
  Transaction,
} from '@prisma/driver-adapter-utils'

/**
 * The better-sqlite3 adapter over the test's own handle (the fixture checks the same
 * in-memory database). The factory exports no way to pass a handle, so the adapter's class
 * is taken from one it made; closing is left to the test database.
 */
async function sqliteAdapter(database: TestDatabase): Promise<SqlDriverAdapterFactory> {
  const probe = await new PrismaBetterSqlite3({ url: ':memory:' }).connect()
  await probe.dispose()
  const Adapter = probe.constructor as new (client: unknown) => SqlDriverAdapter
  return {
    provider: 'sqlite',
    adapterName: probe.adapterName,
    async connect() {
      const adapter = new Adapter(database.sqlite)
      adapter.dispose = async () => undefined
      return adapter
    },
  }
}

function mariadbAdapter(url: string, settings: ClientSettings): SqlDriverAdapterFactory {
  const { hostname, port, username, pathname } = new URL(url)
  return new PrismaMariaDb({
    host: hostname,
    port: Number(port || 3306),
    user: decodeURIComponent(username),
    database: pathname.slice(1),
    connectionLimit: 4,
    ...(settings.readCommitted && {
      initSql: 'SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED',
    }),
  })
}

/** The Prisma driver adapter for one test database, as the client settings ask. */
export async function driverAdapter(
  database: TestDatabase,
  settings: ClientSettings,
): Promise<SqlDriverAdapterFactory> {
  if (database.kind === 'sqlite') {
    if (settings.exactIntegers) database.sqlite?.defaultSafeIntegers(true)
    return sqliteAdapter(database)
  }
  if (database.kind === 'postgres') {
    return new PrismaPg(database.pgPool(settings), { disposeExternalPool: true })
  }
  return mariadbAdapter(database.url as string, settings)
}

type BeforeQuery = NonNullable<ClientSettings['beforeQuery']>

function hookedQueryable<Q extends SqlQueryable>(inner: Q, beforeQuery: BeforeQuery): Q {
  return new Proxy(inner, {
    get(target, key) {
      if (key === 'queryRaw' || key === 'executeRaw') {
        return async (query: { sql: string }) => {
          await beforeQuery(query.sql)
          return target[key](query as never)
        }
      }
      const value: unknown = Reflect.get(target, key)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

/**
 * The driver adapter with `beforeQuery` awaited before every statement it runs, in or out
 * of a transaction: under the audit's wrapper, so the audit's own statements are hooked too.
 */
export function hooked(
  factory: SqlDriverAdapterFactory,
  beforeQuery: BeforeQuery,
): SqlDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    async connect() {
      const adapter = hookedQueryable(await factory.connect(), beforeQuery)
      return new Proxy(adapter, {
        get(target, key) {
          if (key === 'startTransaction') {
            return async (isolation?: Parameters<SqlDriverAdapter['startTransaction']>[0]) =>
              hookedQueryable<Transaction>(await target.startTransaction(isolation), beforeQuery)
          }
          return Reflect.get(target, key)
        },
      })
    },
  }
}
