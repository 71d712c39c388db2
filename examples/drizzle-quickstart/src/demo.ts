import {
  type AuditEntry,
  auditPlugin,
  createAuditTable,
  withAuditContext,
} from '@chronicle/drizzle'
import Database from 'better-sqlite3'
import { eq } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import * as schema from './schema.ts'

const { users, orders } = schema
const show = (value: unknown) => (value === undefined ? '∅' : JSON.stringify(value))

/** One line per entry: `#3 UPDATE by bob: plan "free" → "pro"`. */
function timeline(entries: AuditEntry[], print: (line: string) => void) {
  for (const { id, action, actorId, changedFields, oldValues, newValues } of entries) {
    const changes = changedFields.map(
      (field) => `${field} ${show(oldValues?.[field])} → ${show(newValues?.[field])}`,
    )
    print(
      `  #${id} ${action} by ${actorId ?? 'anonymous'}${changes.length ? `: ${changes.join(', ')}` : ''}`,
    )
  }
}

/** The quickstart: two actors change users and orders; then we ask the audit trail about it. */
export async function runDemo(
  file: string,
  print: (line: string) => void = console.log,
): Promise<void> {
  const sqlite = new Database(file)
  sqlite.exec(`CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE,
      name TEXT NOT NULL, plan TEXT NOT NULL, password_hash TEXT NOT NULL);
    CREATE TABLE orders (order_id TEXT PRIMARY KEY, user_id INTEGER NOT NULL,
      total INTEGER NOT NULL, status TEXT NOT NULL)`)

  // 1. Name the tables to audit, and attach: the db keeps its type.
  const audit = auditPlugin({
    tables: [
      [users, { redact: ['password_hash'] }],
      [orders, { primaryKey: 'order_id' }],
    ],
  })
  const db = audit.attach(drizzle(sqlite, { schema }))
  await createAuditTable(db)

  // 2. Alice signs up and orders; each write is audited in its own transaction.
  const alice = withAuditContext({ actorId: 'alice', actorType: 'user' }, () => {
    const [user] = db
      .insert(users)
      .values({ email: 'alice@example.com', name: 'Alice', plan: 'free', password_hash: 'x1' })
      .returning()
      .all()
    if (!user) throw new Error('no user')
    db.insert(orders).values({ order_id: 'A-1', user_id: user.id, total: 40, status: 'new' }).run()
    return user
  })
  const beforeUpgrade = new Date()
  await new Promise((resolve) => setTimeout(resolve, 5))

  // 3. Support (bob) upgrades Alice and ships her order in one transaction. better-sqlite3's
  //    transactions are synchronous in Drizzle: a synchronous callback, .run() for each write.
  withAuditContext({ actorId: 'bob', actorType: 'user', metadata: { ticket: 'T-7' } }, () =>
    db.transaction((tx) => {
      tx.update(users)
        .set({ plan: 'pro', name: 'Alice Liddell' })
        .where(eq(users.id, alice.id))
        .run()
      tx.update(orders).set({ status: 'shipped' }).where(eq(orders.order_id, 'A-1')).run()
    }),
  )

  // 4. Ask the trail.
  const history = await audit.table('users').history(alice.id, { order: 'asc' })
  print("Alice's history:")
  timeline(history, print)
  const then = await audit.table('users').stateAt(alice.id, beforeUpgrade)
  print(`Alice before the upgrade: plan=${then?.plan}, name=${then?.name}`)
  const [created, upgraded] = history
  if (created && upgraded) {
    const diff = await audit.compare(created.id, upgraded.id)
    for (const op of diff.patch)
      print(`  ${op.op} ${op.path} ${show('value' in op ? op.value : undefined)}`)
    // 5. Undo the upgrade: the restore is audited too.
    await audit.restore(upgraded.id)
  }
  const now = db.select().from(users).where(eq(users.id, alice.id)).get()
  print(`Alice now: plan=${now?.plan}, name=${now?.name}`)
  const { items } = await audit.logs({ limit: 10 })
  print(`${items.length} entries; verify: ${JSON.stringify(await audit.verify())}`)
  sqlite.close()
}
