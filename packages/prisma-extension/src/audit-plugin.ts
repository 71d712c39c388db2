import { randomUUID } from 'node:crypto'
import type { AuditEvent, TableOptions, TableRepo, TableRows } from '@chronicle/core'
import {
  type AuditEngine,
  Chronicle,
  ChronicleError,
  type ChronicleOptions,
  createAuditTable as createTable,
  type DialectName,
  getDialect,
} from '@chronicle/core/adapter'
import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils'
import { AuditAdapterFactory } from './audit-adapter.js'
import {
  type AuditedPrismaClient,
  type PrismaModelMethods,
  prismaExtension,
} from './audit-extension.js'
import { toDatabaseNames } from './model-names.js'
import type { RuntimeDataModel } from './prisma-internals.js'
import type { Audited } from './write-plan.js'

type Row = Record<string, unknown>

function dialectOf(provider: string): DialectName {
  if (provider === 'sqlite' || provider === 'postgres' || provider === 'mysql') return provider
  throw new ChronicleError(
    'UNSUPPORTED',
    `Chronicle supports Prisma's SQLite, PostgreSQL and MySQL/MariaDB driver adapters, not "${provider}"`,
  )
}

/**
 * The options: as every adapter's, with tables named by model (`User`) or table (`users`),
 * and `primaryKey`, `ignore` and `redact` by field (`passwordHash`) or column name.
 */
export type PrismaAuditOptions = Omit<ChronicleOptions, 'tables'> & {
  readonly tables: Readonly<Record<string, TableOptions<string> | undefined>>
}

/** A statement that, sent through a Prisma transaction, writes one explicit event in it. */
const EVENT_MARKER = '/* chronicle:event '
const events = new Map<string, AuditEvent>()

/** The event a marker statement stands for, taken (it is written once). */
export function takeEvent(sql: string): AuditEvent | undefined {
  if (!sql.startsWith(EVENT_MARKER)) return undefined
  const id = sql.slice(EVENT_MARKER.length, sql.indexOf(' */'))
  const event = events.get(id)
  events.delete(id)
  return event
}

/** What `audit.log(event, { tx })` accepts: a Prisma client or interactive transaction client. */
export interface PrismaTransactionClient {
  $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<number>
}

/**
 * The Prisma audit: the query API, {@link PrismaAudit.adapter} (capture, in the driver
 * adapter, where nested writes, batches and transactions all pass) and
 * {@link PrismaAudit.extension} (model methods, `$audit`, and model names in the options).
 */
export class PrismaAudit<Tables extends TableRows = TableRows> extends Chronicle<Tables> {
  readonly #options: ChronicleOptions
  #factory: AuditAdapterFactory | undefined
  #datamodel: RuntimeDataModel | undefined
  #attached: AuditEngine | undefined
  #audited: Audited | undefined

  constructor(options: PrismaAuditOptions) {
    super(options as ChronicleOptions<Tables>)
    this.#options = options as ChronicleOptions
  }

  /**
   * Wraps a Prisma driver adapter: every statement Prisma sends (nested writes, batches and
   * interactive transactions included) passes through it, so each write to an audited table
   * records its entries on the same transaction.
   *
   * ### Examples
   * ```ts
   * const audit = auditPlugin({ tables: { User: { redact: ['passwordHash'] } } })
   * const prisma = new PrismaClient({ adapter: audit.adapter(new PrismaPg({ connectionString })) })
   *   .$extends(audit.extension())
   * await prisma.user.update({ where: { id: 1 }, data: { name: 'Ada' } })
   * // one transaction: SELECT … FOR UPDATE; UPDATE "users" … RETURNING …; INSERT INTO "audit_logs" …
   * ```
   */
  adapter<F extends SqlDriverAdapterFactory>(inner: F): F {
    if (this.#factory) {
      throw new ChronicleError(
        'UNSUPPORTED',
        'this audit instance already wraps a driver adapter: call auditPlugin() once per database',
      )
    }
    dialectOf(inner.provider)
    this.#factory = new AuditAdapterFactory(inner, {
      engine: () => this.engine,
      audited: () => this.#auditedTables(),
      event: takeEvent,
    })
    return this.#factory as unknown as F
  }

  /**
   * The client extension: `prisma.<model>.history(id)`, `.stateAt(id, at)`, `.diff(id, …)`
   * typed with the model, and `prisma.$audit` (this audit). It also lets the options name
   * models and fields (`User`, `passwordHash`) instead of tables and columns.
   */
  extension() {
    const table = (name: string) => this.table(name as never) as unknown as TableRepo<Row>
    return prismaExtension(this as PrismaAudit<Tables>, table, (datamodel) => {
      this.#datamodel ??= datamodel
    })
  }

  /**
   * `client.$extends(audit.extension())`, typed: each model delegate gains `history`,
   * `stateAt` and `diff` typed with its model, and the client gains `$audit`.
   *
   * ### Examples
   * ```ts
   * const prisma = audit.extend(new PrismaClient({ adapter: audit.adapter(new PrismaPg({ connectionString })) }))
   * const versions = await prisma.user.history(1)   // AuditEntry<User>[]
   * ```
   */
  extend<Client extends { $extends: (extension: never) => unknown }>(
    client: Client,
  ): AuditedPrismaClient<Client, this> {
    return client.$extends(this.extension() as never) as AuditedPrismaClient<Client, this>
  }

  protected override get engine(): AuditEngine {
    if (this.#attached) return this.#attached
    const factory = this.#factory
    if (!factory) return super.engine
    this.#attached = this.attachDatabase(
      dialectOf(factory.provider),
      factory,
      toDatabaseNames(this.#options, this.#datamodel),
    )
    return this.#attached
  }

  #auditedTables(): Audited {
    if (!this.#audited) {
      const tables = [...this.engine.options.tables.keys()]
      const set = new Set(tables)
      this.#audited = {
        isAudited: (table) => set.has(table),
        names: [...new Set(tables.map((t) => (t.split('.').at(-1) as string).toLowerCase()))],
      }
    }
    return this.#audited
  }

  /** Closes the connection audit queries opened when Prisma itself never connected. */
  async destroy(): Promise<void> {
    await this.#factory?.dispose()
  }

  /**
   * Records an explicit event; with `{ tx }` (an interactive transaction's client) it is
   * written inside that transaction and commits or rolls back with it.
   *
   * ### Examples
   * ```ts
   * await prisma.$transaction(async (tx) => {
   *   await tx.organization.update({ where: { id }, data: { planId } })
   *   await audit.log({ action: 'billing.plan.changed', targetType: 'organization', targetId: id }, { tx })
   * })
   * ```
   */
  override async log(
    event: AuditEvent,
    options: { readonly tx?: PrismaTransactionClient } = {},
  ): Promise<void> {
    if (!options.tx) return super.log(event)
    const { tx } = options
    await this.guard(async () => {
      const id = randomUUID()
      events.set(id, event)
      try {
        await tx.$executeRawUnsafe(`${EVENT_MARKER}${id} */ SELECT 1`)
      } finally {
        events.delete(id)
      }
    })
  }

  /** Creates the audit table and its indexes if missing, on the database Prisma uses. */
  async createAuditTable(): Promise<void> {
    const engine = this.engine
    await createTable(engine.database, getDialect(engine.dialect.name), engine.options.auditTable)
  }
}

export type { PrismaModelMethods }

/**
 * Creates the Prisma audit for the models (or tables) you name; attach it with
 * `audit.adapter(…)` and `$extends(audit.extension())`.
 *
 * ### Examples
 * ```ts
 * const audit = auditPlugin({
 *   tables: { User: { ignore: ['updatedAt'], redact: ['passwordHash'] }, Post: {} },
 *   context: () => ({ actorId: currentUser()?.id }),
 * })
 * ```
 */
export function auditPlugin<Tables extends TableRows = TableRows>(
  options: PrismaAuditOptions,
): PrismaAudit<Tables> {
  return new PrismaAudit<Tables>(options)
}
