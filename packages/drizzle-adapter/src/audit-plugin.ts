import { randomUUID } from 'node:crypto'
import type { AuditEvent, TableOptions } from '@chronicle/core'
import {
  Chronicle,
  ChronicleError,
  type ChronicleOptions,
  createAuditTable as createTable,
  getDialect,
  type SqlConnection,
  type SqlDatabase,
} from '@chronicle/core/adapter'
import { getTableName, type InferSelectModel, type Table } from 'drizzle-orm'
import {
  captureConnection,
  type Driver,
  type DriverClient,
  driverOf,
  syncCaptureConnection,
} from './drivers.js'
import { dialectOf, sessionClient, tableSchema } from './drizzle-internals.js'
import { attachScope, type Scope, scopeOf } from './scope.js'
import type { PlanContext } from './write-plan.js'

/** Each table of a Drizzle schema by its SQL name, with its selected row: what history returns. */
export type DrizzleRows<Schema> = {
  [K in keyof Schema as TableName<Schema[K]>]: Schema[K] extends Table
    ? InferSelectModel<Schema[K]>
    : never
}

/** {@link DrizzleRows}, or any table by name when no schema type is given. */
export type SchemaRows<Schema> = [Schema] extends [never]
  ? Record<string, Record<string, unknown>>
  : Extract<DrizzleRows<Schema>, Record<string, object>>

/** A Drizzle table's SQL name. */
type TableName<T> = T extends Table<infer Config> ? Config['name'] : never

function sqlDatabase(
  driver: Driver,
  root: DriverClient,
  begin: string,
  queue: Scope['queue'],
): SqlDatabase {
  return {
    query: <R>(sql: string, params: readonly unknown[]) =>
      driver.query(root, sql, params) as never as Promise<{ rows: R[] }>,
    async transaction<T>(work: (connection: SqlConnection, id: string) => Promise<T>) {
      const acquired = await driver.acquire(root)
      const connection = captureConnection(driver, acquired.client, begin)
      const run = async () => {
        await connection.begin()
        try {
          const result = await work(connection, randomUUID())
          await connection.commit()
          return result
        } catch (error) {
          await connection.rollback()
          throw error
        }
      }
      try {
        if (!acquired.shared) return await run()
        // One connection: take turns with the db's standalone writes.
        const turn = queue.tail.then(run)
        queue.tail = turn.catch(() => undefined)
        return await turn
      } finally {
        acquired.release()
      }
    },
  }
}

/**
 * The Drizzle audit: the query API plus {@link DrizzleAudit.attach}, which returns your db
 * (same type) with every insert, update and delete to an audited table captured in the same
 * transaction.
 */
export class DrizzleAudit<Rows extends Record<string, object>> extends Chronicle<Rows> {
  /**
   * Attaches the audit to a Drizzle db (node-postgres, mysql2 or better-sqlite3) and
   * returns it, typed as it was. Use the returned db for writes; the one you passed in is
   * left as it was, unaudited.
   *
   * ### Examples
   * ```ts
   * const audit = auditPlugin<typeof schema>({ tables: { users: { redact: ['password_hash'] } } })
   * const db = audit.attach(drizzle(pool, { schema }))
   * await db.update(users).set({ name: 'Ada' }).where(eq(users.id, 1))
   * // one transaction: SELECT … FOR UPDATE; UPDATE … RETURNING …; INSERT INTO audit_logs …
   * ```
   */
  attach<DB extends object>(db: DB): DB {
    const driver = driverOf(db)
    const root = sessionClient(db) as DriverClient
    const begin = getDialect(driver.name).beginStatement ?? 'begin'
    const queue = { tail: Promise.resolve() as Promise<unknown> }
    const engine = this.attachDatabase(driver.name, sqlDatabase(driver, root, begin, queue))
    const audited = engine
    const context: PlanContext = {
      dialect: dialectOf(db),
      name: driver.name,
      audited(table, schema) {
        if (schema !== undefined && audited.tableConfig(`${schema}.${table}`))
          return { table: `${schema}.${table}` }
        if (!audited.tableConfig(table)) return undefined
        return schema === undefined ? { table } : { table, schema }
      },
    }
    const scope: Scope = {
      engine,
      driver,
      context,
      client: root,
      begin,
      guard: undefined,
      queue,
      open: { value: true },
    }
    return attachScope(db, scope)
  }

  /**
   * Records an explicit event; with `{ tx }` (a transaction of the attached db) it is
   * written inside that transaction and commits or rolls back with it.
   *
   * ### Examples
   * ```ts
   * await db.transaction(async (tx) => {
   *   await tx.update(organizations).set({ planId }).where(eq(organizations.id, org.id))
   *   await audit.log({ action: 'billing.plan.changed', targetType: 'organization', targetId: org.id }, { tx })
   * })
   * ```
   */
  override async log(event: AuditEvent, options: { readonly tx?: object } = {}): Promise<void> {
    if (!options.tx) return super.log(event)
    const scope = scopeOf(options.tx)
    if (!scope) {
      throw new ChronicleError(
        'UNSUPPORTED',
        'audit.log({ tx }) takes a transaction of the db that audit.attach() returned',
      )
    }
    if (!scope.open.value) {
      throw new ChronicleError('UNSUPPORTED', 'audit.log({ tx }): this transaction has ended')
    }
    const { guard } = scope
    await this.guard(async (engine) => {
      // On a synchronous driver the event is written now, inside the synchronous transaction.
      if (scope.driver.querySync) {
        const connection = syncCaptureConnection(scope.driver, scope.client, scope.begin)
        return engine.recordEventSync(connection, event, guard)
      }
      const connection = captureConnection(scope.driver, scope.client, scope.begin)
      return engine.recordEvent(connection, event, guard)
    })
  }
}

/** A table to audit: the Drizzle table, or the table and its options (SQL column names). */
export type AuditedTable = Table | readonly [Table, TableOptions]

type TableOf<E> = E extends readonly [infer T extends Table, unknown]
  ? T
  : E extends Table
    ? E
    : never

/** The rows of audited Drizzle tables by SQL name, as history returns them. */
export type AuditedRows<T extends readonly AuditedTable[]> = {
  [E in T[number] as TableName<TableOf<E>>]: InferSelectModel<TableOf<E>>
}

/** Options with `tables` as Drizzle tables instead of names. */
export type DrizzleAuditOptions<T extends readonly AuditedTable[]> = Omit<
  ChronicleOptions,
  'tables'
> & { readonly tables: T }

function auditedName(table: Table): string {
  const schema = tableSchema(table)
  return schema === undefined ? getTableName(table) : `${schema}.${getTableName(table)}`
}

/**
 * Creates the Drizzle audit for the tables you name; attach it with `audit.attach(db)`.
 * Name tables by the Drizzle tables themselves (history is then typed with each table's
 * `$inferSelect`), or by their SQL names, passing your schema's type for the same typing.
 *
 * ### Examples
 * ```ts
 * const audit = auditPlugin({ tables: [users, [orders, { primaryKey: 'order_id' }]] })
 * // or: auditPlugin<typeof schema>({ tables: { users: {}, orders: { primaryKey: 'order_id' } } })
 * const db = audit.attach(drizzle(pool, { schema }))
 * const history = await audit.table('users').history(1)   // AuditEntry<typeof users.$inferSelect>[]
 * ```
 */
export function auditPlugin<const T extends readonly AuditedTable[]>(
  options: DrizzleAuditOptions<T>,
): DrizzleAudit<Extract<AuditedRows<T>, Record<string, object>>>
export function auditPlugin<Schema = never>(
  options: ChronicleOptions<SchemaRows<Schema>>,
): DrizzleAudit<SchemaRows<Schema>>
export function auditPlugin(
  options: ChronicleOptions | DrizzleAuditOptions<readonly AuditedTable[]>,
): DrizzleAudit<Record<string, object>> {
  if (!Array.isArray(options?.tables)) return new DrizzleAudit(options as ChronicleOptions)
  const tables = Object.fromEntries(
    (options.tables as readonly AuditedTable[]).map((entry) =>
      Array.isArray(entry)
        ? [auditedName(entry[0] as Table), entry[1]]
        : [auditedName(entry as Table), {}],
    ),
  )
  return new DrizzleAudit({ ...options, tables })
}

/**
 * Creates the audit table and its indexes if missing, on the attached db's database.
 *
 * ### Examples
 * ```ts
 * await createAuditTable(db)
 * ```
 */
export async function createAuditTable(
  db: object,
  options: { readonly auditTable?: string } = {},
): Promise<void> {
  const driver = driverOf(db)
  const client = sessionClient(db) as DriverClient
  const connection: SqlConnection = {
    query: <R>(sql: string, params: readonly unknown[]) =>
      driver.query(client, sql, params) as never as Promise<{ rows: R[] }>,
  }
  await createTable(connection, getDialect(driver.name), options.auditTable)
}
