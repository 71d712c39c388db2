import type {
  AdapterFactory,
  AuditedClient,
  ClientSettings,
  Row,
  TableName,
  TestTables,
  Where,
} from '@chronicle/test-kit'
import { kyselyDialect } from '@chronicle/test-kit'
import {
  type CompiledQuery,
  type ControlledTransaction,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type ExpressionBuilder,
  Kysely,
  sql,
  type Transaction,
} from 'kysely'
import { auditPlugin, type KyselyAudit } from '../src/index.js'

type DB = TestTables

type AnyDb = Kysely<any> | Transaction<any> | ControlledTransaction<any>

function where(eb: ExpressionBuilder<any, any>, conditions: Where) {
  return eb.and(
    Object.entries(conditions).map(([column, condition]) => {
      if (condition !== null && typeof condition === 'object' && !(condition instanceof Date)) {
        if ('in' in condition) return eb(column, 'in', condition.in as unknown[])
        if ('gt' in condition) return eb(column, '>', condition.gt)
        if ('lt' in condition) return eb(column, '<', condition.lt)
      }
      return eb(column, '=', condition)
    }),
  )
}

function setValues(values: Record<string, unknown>) {
  return Object.fromEntries(
    Object.entries(values).map(([column, value]) =>
      value !== null && typeof value === 'object' && 'increment' in value
        ? [column, sql`${sql.ref(column)} + ${(value as { increment: number }).increment}`]
        : [column, value],
    ),
  )
}

function client(
  db: AnyDb,
  audit: KyselyAudit<DB>,
  mysql: boolean,
  root: Kysely<any>,
): AuditedClient {
  const self: AuditedClient = {
    audit: audit as unknown as AuditedClient['audit'],
    async insert(table, rows) {
      await db
        .insertInto(table)
        .values(rows as Row[])
        .execute()
    },
    async insertReturning(table, rows) {
      if (mysql) {
        // MySQL has no RETURNING; read the rows back by their unique email / key instead.
        await db
          .insertInto(table)
          .values(rows as Row[])
          .execute()
        return self.select(table)
      }
      return db
        .insertInto(table)
        .values(rows as Row[])
        .returningAll()
        .execute()
    },
    async update(table: TableName, conditions: Where, values) {
      const result = await db
        .updateTable(table)
        .set(setValues(values))
        .where((eb) => where(eb, conditions))
        .executeTakeFirst()
      return Number(result.numUpdatedRows)
    },
    async delete(table, conditions) {
      const result = await db
        .deleteFrom(table)
        .where((eb) => where(eb, conditions))
        .executeTakeFirst()
      return Number(result.numDeletedRows)
    },
    async upsert(table, rows, conflict, update) {
      const query = db.insertInto(table).values(rows as Row[])
      const set = (eb: ExpressionBuilder<any, any>) =>
        Object.fromEntries(
          update.map((c) => [c, mysql ? sql`values(${sql.ref(c)})` : eb.ref(`excluded.${c}`)]),
        )
      if (mysql) await query.onDuplicateKeyUpdate((eb) => set(eb)).execute()
      else
        await query
          .onConflict((oc) => oc.columns(conflict as string[]).doUpdateSet((eb) => set(eb)))
          .execute()
    },
    async insertIgnore(table, rows, conflict) {
      const query = db.insertInto(table).values(rows as Row[])
      if (mysql) await query.ignore().execute()
      else await query.onConflict((oc) => oc.columns(conflict as string[]).doNothing()).execute()
    },
    async select(table, conditions = {}) {
      const key = table === 'orders' ? 'order_id' : table === 'memberships' ? 'org_id' : 'id'
      return db
        .selectFrom(table)
        .selectAll()
        .where((eb) => where(eb, conditions))
        .orderBy(key)
        .execute()
    },
    async log(event) {
      await audit.log(event, db.isTransaction ? { tx: db as Kysely<any> } : {})
    },
    async transaction(work) {
      if (db.isTransaction) return work(self)
      // A controlled transaction, so the suites can also open savepoints inside it.
      const trx = await (db as Kysely<any>).startTransaction().execute()
      try {
        const result = await work(client(trx, audit, mysql, root))
        await trx.commit().execute()
        return result
      } catch (error) {
        await trx.rollback().execute()
        throw error
      }
    },
    async savepoint(work) {
      const trx = db as ControlledTransaction<any>
      const nested = await trx.savepoint('chronicle_test').execute()
      try {
        const result = await work(client(nested, audit, mysql, root))
        await nested.releaseSavepoint('chronicle_test').execute()
        return result
      } catch (error) {
        await nested.rollbackToSavepoint('chronicle_test').execute()
        throw error
      }
    },
    async destroy() {
      await root.destroy()
      // Kysely closes its driver only if it ran a query itself; audit-only clients need this.
      await audit.destroy()
    },
  }
  return self
}

/**
 * The dialect with `beforeQuery` awaited before every statement its connections run,
 * transaction control included (Kysely's drivers send BEGIN/COMMIT through the connection).
 */
function hooked(
  dialect: Dialect,
  beforeQuery: NonNullable<ClientSettings['beforeQuery']>,
): Dialect {
  const driver = dialect.createDriver()
  const wrapped = new WeakMap<DatabaseConnection, DatabaseConnection>()
  const inner = new WeakMap<DatabaseConnection, DatabaseConnection>()
  const wrap = (connection: DatabaseConnection) => {
    let hookedConnection = wrapped.get(connection)
    if (!hookedConnection) {
      hookedConnection = {
        async executeQuery<R>(compiled: CompiledQuery) {
          await beforeQuery(compiled.sql)
          return connection.executeQuery<R>(compiled)
        },
        streamQuery: (compiled, chunkSize) => connection.streamQuery(compiled, chunkSize),
      }
      wrapped.set(connection, hookedConnection)
      inner.set(hookedConnection, connection)
    }
    return hookedConnection
  }
  const hookedDriver: Driver = {
    init: (options) => driver.init(options),
    acquireConnection: async (options) => wrap(await driver.acquireConnection(options)),
    beginTransaction: (connection, settings) => driver.beginTransaction(connection, settings),
    commitTransaction: (connection) => driver.commitTransaction(connection),
    rollbackTransaction: (connection) => driver.rollbackTransaction(connection),
    savepoint: (connection, name, compile) =>
      driver.savepoint?.(connection, name, compile) as never,
    rollbackToSavepoint: (connection, name, compile) =>
      driver.rollbackToSavepoint?.(connection, name, compile) as never,
    releaseSavepoint: (connection, name, compile) =>
      driver.releaseSavepoint?.(connection, name, compile) as never,
    releaseConnection: (connection, options) =>
      driver.releaseConnection(inner.get(connection) ?? connection, options),
    destroy: (options) => driver.destroy(options),
  }
  return {
    createDriver: () => hookedDriver,
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
  }
}

/** The Kysely adapter as the contract suites see it. */
export const kyselyAdapter: AdapterFactory = {
  name: 'kysely',
  async create(database, options, settings = {}) {
    const audit = auditPlugin<DB>(options)
    if (settings.exactIntegers) database.sqlite?.defaultSafeIntegers(true)
    const dialect = kyselyDialect(database, settings)
    const db = new Kysely<any>({
      dialect: audit.dialect(
        settings.beforeQuery ? hooked(dialect, settings.beforeQuery) : dialect,
      ),
    })
    return client(db, audit, database.kind === 'mariadb', db)
  },
}
