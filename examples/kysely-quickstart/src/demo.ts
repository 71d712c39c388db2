import {
  type AuditEntry,
  auditPlugin,
  type ChronicleOptions,
  createAuditTable,
  withAuditContext,
} from '@chronicle/kysely'
import Database from 'better-sqlite3'
import { type Generated, Kysely, SqliteDialect } from 'kysely'

// A type alias, not an interface: ChronicleOptions takes a record of tables.
export type DB = {
  users: { id: Generated<number>; email: string; name: string; plan: string; password_hash: string }
  orders: { order_id: string; user_id: number; total: number; status: string }
}

/** Which tables are audited, and how: what an app passes to `auditPlugin()`. */
export const auditOptions = {
  tables: { users: { redact: ['password_hash'] }, orders: { primaryKey: 'order_id' } },
} satisfies ChronicleOptions<DB>

const symbol: Record<string, string> = { INSERT: '+', UPDATE: '~', DELETE: '-' }
const show = (value: unknown) => (value === undefined ? '∅' : JSON.stringify(value))

function timeline(entries: AuditEntry[], print: (line: string) => void) {
  for (const e of entries) {
    const who = e.actorId ?? 'anonymous'
    print(`  #${e.id} ${symbol[e.action] ?? '*'} ${e.action.padEnd(6)} by ${who.padEnd(6)}`)
    for (const field of e.changedFields) {
      print(`        ${field}: ${show(e.oldValues?.[field])} -> ${show(e.newValues?.[field])}`)
    }
  }
}

/** The quickstart: two actors change users and orders; then we ask the audit trail about it. */
export async function runDemo(
  file: string,
  print: (line: string) => void = console.log,
): Promise<void> {
  // 1. Say which tables to audit, and wrap Kysely's dialect.
  const audit = auditPlugin<DB>(auditOptions)
  const db = new Kysely<DB>({
    dialect: audit.dialect(new SqliteDialect({ database: new Database(file) })),
  })

  await db.schema
    .createTable('users')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('plan', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createTable('orders')
    .addColumn('order_id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull())
    .addColumn('total', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .execute()
  await createAuditTable(db)

  // 2. Alice signs up and orders; every write below is audited in its own transaction.
  const alice = await withAuditContext({ actorId: 'alice', actorType: 'user' }, async () => {
    const user = await db
      .insertInto('users')
      .values({ email: 'alice@example.com', name: 'Alice', plan: 'free', password_hash: 'x1' })
      .returningAll()
      .executeTakeFirstOrThrow()
    await db
      .insertInto('orders')
      .values({ order_id: 'A-1', user_id: user.id, total: 40, status: 'new' })
      .execute()
    return user
  })
  const beforeUpgrade = new Date()
  await new Promise((resolve) => setTimeout(resolve, 5))

  // 3. Support (bob) upgrades Alice and ships her order in one transaction.
  await withAuditContext({ actorId: 'bob', actorType: 'user', metadata: { ticket: 'T-7' } }, () =>
    db.transaction().execute(async (trx) => {
      await trx
        .updateTable('users')
        .set({ plan: 'pro', name: 'Alice Liddell' })
        .where('id', '=', alice.id)
        .execute()
      await trx
        .updateTable('orders')
        .set({ status: 'shipped' })
        .where('user_id', '=', alice.id)
        .execute()
    }),
  )

  const users = audit.table('users')
  print(`History of users #${alice.id} (newest first):`)
  timeline(await users.history(alice.id), print)

  const then = await users.stateAt(alice.id, beforeUpgrade)
  print(`\nAlice before the upgrade: plan=${then?.plan}, name=${then?.name}`)

  const [insert] = await users.history(alice.id, { order: 'asc', limit: 1 })
  const diff = await users.diff(alice.id, { from: insert?.id ?? 0 })
  print('\nDiff from sign-up to now (RFC 6902):')
  for (const op of diff.patch) print(`  ${op.op} ${op.path} ${'value' in op ? show(op.value) : ''}`)

  const [upgrade] = await users.history(alice.id, { limit: 1 })
  const restored = await audit.restore(upgrade?.id ?? 0)
  print(`\nRestored users #${alice.id} to before entry #${upgrade?.id}:`)
  for (const change of restored.changes)
    print(`  ${change.field}: ${show(change.from)} -> ${show(change.to)}`)
  const now = await db
    .selectFrom('users')
    .selectAll()
    .where('id', '=', alice.id)
    .executeTakeFirstOrThrow()
  print(`Alice now: plan=${now.plan}, name=${now.name}`)

  const { items } = await audit.logs({ limit: 10 })
  print(
    `\nLatest entries across tables: ${items.map((e) => `${e.tableName}#${e.entityId} ${e.action}`).join(', ')}`,
  )
  await db.destroy()
}
