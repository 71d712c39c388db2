import type { AuditEvent } from '@chronicle/core'
import {
  Chronicle,
  ChronicleError,
  type ChronicleOptions,
  createAuditTable as createTable,
  type DialectName,
  getDialect,
  type SqlConnection,
} from '@chronicle/core/adapter'
import {
  type Dialect,
  type Kysely,
  MysqlAdapter,
  PostgresAdapter,
  type Selectable,
  SqliteAdapter,
  sql,
} from 'kysely'
import { AuditDialect } from './audit-dialect.js'
import { eventQuery } from './audit-driver.js'
import { adapterOf } from './kysely-internals.js'

/** Each table's selectable row, the shape history and stateAt return. */
export type KyselyRows<DB> = { [T in keyof DB & string]: Selectable<DB[T]> }

function dialectName(adapter: unknown): DialectName {
  if (adapter instanceof SqliteAdapter) return 'sqlite'
  if (adapter instanceof PostgresAdapter) return 'postgres'
  if (adapter instanceof MysqlAdapter) return 'mysql'
  throw new ChronicleError(
    'UNSUPPORTED',
    'Chronicle supports Kysely’s SqliteDialect, PostgresDialect and MysqlDialect (or dialects whose adapter extends theirs)',
  )
}

/**
 * The Kysely audit: the query API plus {@link KyselyAudit.dialect}, which wraps your dialect
 * so that every write through Kysely to an audited table writes its entries in the same
 * transaction.
 */
export class KyselyAudit<DB> extends Chronicle<KyselyRows<DB>> {
  #dialect: AuditDialect | undefined

  /**
   * Wraps a Kysely dialect. Kysely's driver sees every connection, transaction and
   * savepoint, so audit rows always go to the connection that made the change. Like the
   * dialect it wraps, it can serve several Kysely instances, each with its own driver.
   *
   * ### Examples
   * ```ts
   * const audit = auditPlugin<DB>({ tables: { users: {}, orders: { primaryKey: 'order_id' } } })
   * const db = new Kysely<DB>({ dialect: audit.dialect(new SqliteDialect({ database: new Database('app.db') })) })
   * await db.updateTable('users').set({ name: 'Ada' }).where('id', '=', 1).execute()
   * // one transaction: UPDATE users … ; INSERT INTO audit_logs (…) VALUES (…)
   * ```
   */
  dialect(inner: Dialect): Dialect {
    const adapter = inner.createAdapter()
    const dialect = new AuditDialect(inner, adapter, () => this.engine)
    this.attachDatabase(dialectName(adapter), dialect)
    this.#dialect = dialect
    return dialect
  }

  /**
   * Closes the connections that only audit queries opened: those of a Kysely instance that
   * never ran a query itself (Kysely's `db.destroy()` skips a driver it never used), or of
   * the driver audit queries open once every instance is destroyed. Safe to call after
   * `db.destroy()`, and more than once.
   */
  async destroy(): Promise<void> {
    await this.#dialect?.destroy()
  }

  /**
   * Records an explicit event; with `{ tx }` (a Kysely transaction) it is written inside
   * that transaction and commits or rolls back with it.
   *
   * ### Examples
   * ```ts
   * await db.transaction().execute(async (trx) => {
   *   await trx.updateTable('organizations').set({ plan_id: planId }).where('id', '=', org.id).execute()
   *   await audit.log({ action: 'billing.plan.changed', targetType: 'organization', targetId: org.id }, { tx: trx })
   * })
   * ```
   */
  override async log(event: AuditEvent, options: { readonly tx?: Kysely<DB> } = {}): Promise<void> {
    if (!options.tx) return super.log(event)
    const { tx } = options
    await this.guard(() => tx.executeQuery(eventQuery(event)))
  }
}

/**
 * Creates the Kysely audit for the tables you name; attach it with `audit.dialect(…)`.
 *
 * ### Examples
 * ```ts
 * const audit = auditPlugin<DB>({
 *   tables: { users: { ignore: ['updated_at'], redact: ['password_hash'] } },
 *   context: () => ({ actorId: currentUser()?.id }),
 * })
 * ```
 */
export function auditPlugin<DB>(options: ChronicleOptions<KyselyRows<DB>>): KyselyAudit<DB> {
  return new KyselyAudit<DB>(options)
}

/**
 * Creates the audit table and its indexes on this Kysely database if missing.
 *
 * ### Examples
 * ```ts
 * await createAuditTable(db)                       // audit_logs
 * await createAuditTable(db, { auditTable: 'history' })
 * ```
 */
export async function createAuditTable<DB>(
  db: Kysely<DB>,
  options: { readonly auditTable?: string } = {},
): Promise<void> {
  const connection: SqlConnection = {
    async query<R>(text: string) {
      return { rows: (await sql.raw<R>(text).execute(db)).rows }
    },
  }
  await createTable(connection, getDialect(dialectName(adapterOf(db))), options.auditTable)
}
