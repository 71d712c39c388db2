import { TransactionGuard } from '@chronicle/core/adapter'
import type {
  AdapterFactory,
  AuditedClient,
  ClientSettings,
  Set as SetValues,
  TableName,
  TestTables,
  Where,
} from '@chronicle/test-kit'
import { and, eq, gt, inArray, lt, type SQL, sql } from 'drizzle-orm'
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3'
import { drizzle as drizzleMysql } from 'drizzle-orm/mysql2'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import type { Pool as MysqlPool, PoolConnection } from 'mysql2'
import type pg from 'pg'
import { driverOf } from '../src/drivers.js'
import { dialectOf, sessionClient } from '../src/drizzle-internals.js'
import { auditPlugin, type DrizzleAudit } from '../src/index.js'
import { attachScope, commitScope, type Scope, scopeOf } from '../src/scope.js'
import { FIXTURE_COLUMNS, fixtureTable } from './drizzle-schema.js'

type Db = any
type Before = NonNullable<ClientSettings['beforeQuery']>

/** The columns a call names, so a column added or dropped at runtime is handled. */
function tableFor(dialect: string, name: TableName, ...named: (object | undefined)[]) {
  const columns = named.length
    ? [...new Set(named.flatMap((o) => Object.keys(o ?? {})))]
    : (FIXTURE_COLUMNS[name] ?? [])
  return fixtureTable(dialect as never, name, columns)
}

function where(table: any, conditions: Where): SQL | undefined {
  return and(
    ...Object.entries(conditions).map(([column, condition]) => {
      const c = table[column]
      if (condition !== null && typeof condition === 'object' && !(condition instanceof Date)) {
        if ('in' in condition) return inArray(c, condition.in as unknown[])
        if ('gt' in condition) return gt(c, condition.gt)
        if ('lt' in condition) return lt(c, condition.lt)
      }
      return eq(c, condition)
    }),
  )
}

function setValues(table: any, values: SetValues) {
  return Object.fromEntries(
    Object.entries(values).map(([column, value]) =>
      value !== null && typeof value === 'object' && 'increment' in value
        ? [column, sql`${table[column]} + ${(value as { increment: number }).increment}`]
        : [column, value],
    ),
  )
}

function affected(result: any, mysql: boolean): number {
  if (mysql) return result[0].affectedRows
  return result.rowCount ?? result.changes
}

/**
 * Drizzle's better-sqlite3 transactions are synchronous, the suites' are async: on SQLite
 * the factory opens the transaction itself and gives the adapter the scope Drizzle's own
 * transaction would get (a guard that knows it, savepoints included).
 */
interface SqliteTx {
  /** The unattached Drizzle db, and the scope `audit.attach` gave it. */
  readonly plain: Db
  readonly root: Scope
  readonly scope?: Scope
}

function runSql(scope: Scope, statement: string) {
  scope.driver.querySync?.(scope.client, statement, [])
}

async function sqliteTransaction<T>(
  sqlite: SqliteTx,
  work: (tx: Db, next: SqliteTx) => Promise<T>,
): Promise<T> {
  const outer = sqlite.scope?.guard
  const guard = outer ?? new TransactionGuard()
  const scope: Scope = { ...sqlite.root, guard, open: { value: true } }
  const name = outer ? `chronicle_test_${Math.random().toString(36).slice(2)}` : undefined
  if (name) {
    runSql(scope, `savepoint ${name}`)
    guard.savepoint(name)
  } else {
    runSql(scope, 'begin immediate')
    guard.begin()
  }
  try {
    const result = await work(attachScope(sqlite.plain, scope), { ...sqlite, scope })
    if (name) {
      runSql(scope, `release savepoint ${name}`)
      guard.releaseSavepoint(name)
    } else {
      commitScope(scope, guard)
      runSql(scope, 'commit')
      guard.end()
    }
    return result
  } catch (error) {
    if (name) {
      runSql(scope, `rollback to savepoint ${name}`)
      runSql(scope, `release savepoint ${name}`)
      guard.rollbackToSavepoint(name)
    } else {
      runSql(scope, 'rollback')
      guard.end()
    }
    throw error
  } finally {
    scope.open.value = false
  }
}

function client(
  db: Db,
  audit: DrizzleAudit<TestTables>,
  dialect: string,
  destroy: () => Promise<void>,
  inTransaction: boolean,
  sqlite?: SqliteTx,
): AuditedClient {
  const mysql = dialect === 'mysql'
  const self: AuditedClient = {
    audit: audit as unknown as AuditedClient['audit'],
    async insert(name, rows) {
      await db.insert(tableFor(dialect, name, ...rows)).values(rows)
    },
    async insertReturning(name, rows) {
      if (mysql) {
        await db.insert(tableFor(dialect, name, ...rows)).values(rows)
        return self.select(name)
      }
      return db
        .insert(tableFor(dialect, name, ...rows))
        .values(rows)
        .returning()
    },
    async update(name, conditions, values) {
      const table = tableFor(dialect, name, conditions, values)
      return affected(
        await db.update(table).set(setValues(table, values)).where(where(table, conditions)),
        mysql,
      )
    },
    async delete(name, conditions) {
      const table = tableFor(dialect, name, conditions)
      return affected(await db.delete(table).where(where(table, conditions)), mysql)
    },
    async upsert(name, rows, conflict, update) {
      const table = tableFor(dialect, name, ...rows)
      const query = db.insert(table).values(rows)
      const set = Object.fromEntries(
        update.map((c) => [
          c,
          mysql ? sql`values(${table[c]})` : sql.raw(`excluded.${JSON.stringify(c)}`),
        ]),
      )
      if (mysql) await query.onDuplicateKeyUpdate({ set })
      else await query.onConflictDoUpdate({ target: conflict.map((c) => table[c]), set })
    },
    async insertIgnore(name, rows, conflict) {
      const table = tableFor(dialect, name, ...rows)
      if (mysql) await db.insert(table).ignore().values(rows)
      else
        await db
          .insert(table)
          .values(rows)
          .onConflictDoNothing({ target: conflict.map((c) => table[c]) })
    },
    async select(name, conditions = {}) {
      // `select *` on the db's own connection, values as the driver gives them: the suites
      // compare them with entries, and a table may have columns no Drizzle definition names.
      const table = tableFor(dialect, name, conditions)
      const key = name === 'orders' ? 'order_id' : name === 'memberships' ? 'org_id' : 'id'
      const condition = where(table, conditions)
      const query = sql`select * from ${table}${condition ? sql` where ${condition}` : sql``} order by ${sql.identifier(key)}`
      const { sql: text, params } = dialectOf(db).sqlToQuery(query)
      return (await driverOf(db).query(sessionClient(db) as object, text, params)).rows
    },
    async log(event) {
      await audit.log(event, inTransaction ? { tx: db } : {})
    },
    async transaction(work) {
      if (inTransaction) return work(self)
      if (sqlite) {
        return sqliteTransaction(sqlite, (tx, next) =>
          work(client(tx, audit, dialect, destroy, true, next)),
        )
      }
      return db.transaction((tx: Db) => work(client(tx, audit, dialect, destroy, true)))
    },
    async savepoint(work) {
      if (sqlite) {
        return sqliteTransaction(sqlite, (tx, next) =>
          work(client(tx, audit, dialect, destroy, true, next)),
        )
      }
      return db.transaction((tx: Db) => work(client(tx, audit, dialect, destroy, true)))
    },
    destroy,
  }
  return self
}

/** A pg pool whose clients await `before(sql)` before each statement reaches the server. */
function hookPg(pool: pg.Pool, before: Before): pg.Pool {
  pool.on('connect', (connection) => {
    const query = connection.query.bind(connection) as (...args: unknown[]) => unknown
    ;(connection as { query: unknown }).query = (...args: unknown[]) => {
      const first = args[0] as string | { text?: string }
      const text = typeof first === 'string' ? first : first?.text
      if (text === undefined) return query(...args)
      return Promise.resolve(before(text)).then(() => query(...args))
    }
  })
  return pool
}

/** A mysql2 pool whose connections await `before(sql)` before each text statement. */
function hookMysql(pool: MysqlPool, before: Before): MysqlPool {
  const hooked = new WeakSet<object>()
  const getConnection = pool.getConnection.bind(pool)
  pool.getConnection = ((callback: (error: unknown, connection: PoolConnection) => void) =>
    getConnection((error, connection) => {
      if (connection && !hooked.has(connection)) {
        hooked.add(connection)
        const query = connection.query.bind(connection) as (...args: unknown[]) => unknown
        ;(connection as { query: unknown }).query = (...args: unknown[]) => {
          if (typeof args[0] !== 'string') return query(...args)
          // A mysql2 Query is a thenable that throws when awaited: start it, never adopt it.
          void Promise.resolve(before(args[0])).then(() => {
            query(...args)
          })
          return undefined
        }
      }
      callback(error, connection)
    })) as MysqlPool['getConnection']
  return pool
}

/** A better-sqlite3 statement that calls `before` whenever it runs, also through `raw()` and the like. */
function hookStatement<S extends object>(statement: S, sql: string, before: Before): S {
  const view: S = new Proxy(statement, {
    get(target, key) {
      const value = Reflect.get(target, key)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        if (key === 'run' || key === 'all' || key === 'get' || key === 'iterate') void before(sql)
        const result = value.apply(target, args)
        return result === target ? view : result
      }
    },
  })
  return view
}

/** The Drizzle adapter as the contract suites see it. */
export const drizzleAdapter: AdapterFactory = {
  name: 'drizzle',
  synchronousTransactions: ['sqlite'],
  async create(database, options, settings = {}) {
    const audit = auditPlugin(options as never) as unknown as DrizzleAudit<TestTables>
    const before = settings.beforeQuery
    if (database.kind === 'postgres') {
      const pool = database.pgPool(settings)
      const db = audit.attach(drizzlePg(before ? hookPg(pool, before) : pool))
      return client(db, audit, 'postgres', () => pool.end(), false)
    }
    if (database.kind === 'mariadb') {
      const pool = database.mysqlPool(settings)
      const db = audit.attach(drizzleMysql(before ? hookMysql(pool, before) : pool))
      return client(
        db,
        audit,
        'mysql',
        () => new Promise<void>((resolve) => pool.end(() => resolve())),
        false,
      )
    }
    const handle = database.sqlite as NonNullable<typeof database.sqlite>
    if (settings.exactIntegers) handle.defaultSafeIntegers(true)
    // Every statement of this Drizzle db (and of its captures) is prepared through this view
    // of the handle, and calls the hook each time it runs (Chronicle reuses its prepared
    // statements); the test's own statements use the handle itself. The driver answers
    // synchronously, so nothing can run between two statements: the hook is only called.
    const hooked = before
      ? new Proxy(handle, {
          get(target, key) {
            const value = Reflect.get(target, key)
            if (key === 'prepare')
              return (sql: string) => hookStatement(target.prepare(sql), sql, before)
            return typeof value === 'function' ? value.bind(target) : value
          },
        })
      : handle
    const plain = drizzleSqlite(hooked)
    const db = audit.attach(plain)
    const root = scopeOf(db) as Scope
    return client(db, audit, 'sqlite', async () => {}, false, { plain, root })
  },
}
