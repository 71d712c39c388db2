import { type AuditEntry, auditPlugin, withAuditContext } from '@chronicle/prisma'
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3'
import Database from 'better-sqlite3'
import { PrismaClient } from './generated/client.ts'

const symbol: Record<string, string> = { INSERT: '+', UPDATE: '~', DELETE: '-' }
const show = (value: unknown) => (value === undefined ? '∅' : JSON.stringify(value))

function timeline(entries: AuditEntry[], print: (line: string) => void) {
  for (const e of entries) {
    print(
      `  #${e.id} ${symbol[e.action] ?? '*'} ${e.action.padEnd(6)} ${e.tableName.padEnd(6)} by ${e.actorId ?? 'anonymous'}`,
    )
    for (const field of e.changedFields) {
      print(`        ${field}: ${show(e.oldValues?.[field])} -> ${show(e.newValues?.[field])}`)
    }
  }
}

/** The quickstart: two actors change users and their posts; then we ask the audit trail. */
export async function runDemo(
  file: string,
  print: (line: string) => void = console.log,
): Promise<void> {
  // The tables (a migration would create them; `prisma migrate` needs Prisma's engine).
  const sqlite = new Database(file)
  sqlite.exec(`CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT NOT NULL UNIQUE,
      name TEXT NOT NULL, plan TEXT NOT NULL DEFAULT 'free', password_hash TEXT NOT NULL);
    CREATE TABLE posts (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL,
      author_id INTEGER NOT NULL REFERENCES users(id));`)
  sqlite.close()

  // 1. Name the models to audit; wrap the driver adapter; extend the client.
  const audit = auditPlugin({ tables: { User: { redact: ['passwordHash'] }, Post: {} } })
  const prisma = audit.extend(
    new PrismaClient({ adapter: audit.adapter(new PrismaBetterSqlite3({ url: `file:${file}` })) }),
  )
  await audit.createAuditTable()

  // 2. Write through Prisma as usual: nested writes and transactions included.
  const alice = await withAuditContext({ actorId: 'alice' }, () =>
    prisma.user.create({
      data: {
        email: 'alice@example.com',
        name: 'Alice',
        passwordHash: 'x1',
        posts: { create: [{ title: 'Hello' }, { title: 'Draft' }] },
      },
    }),
  )
  await withAuditContext({ actorId: 'bob' }, () =>
    prisma.$transaction(async (tx) => {
      await tx.user.update({ where: { id: alice.id }, data: { plan: 'pro' } })
      await tx.post.deleteMany({ where: { title: 'Draft' } })
    }),
  )

  // 3. Ask the trail.
  print('Every change, oldest first (table names as in the database):')
  timeline((await prisma.$audit.logs({})).items.reverse(), print)
  const history = await prisma.user.history(alice.id)
  print(`\nAlice's history, in Prisma's field names: ${history.map((e) => e.action).join(', ')}`)
  const before = await prisma.user.stateAt(alice.id, { auditId: history[1]?.id as number })
  print(`Alice before the upgrade: plan=${before?.plan}, name=${before?.name}`)
  const restored = await prisma.$audit.restore(history[0]?.id as number)
  print(
    `Restored: ${restored.changes.map((c) => `${c.field} ${show(c.from)} -> ${show(c.to)}`).join(', ')}`,
  )
  const now = await prisma.user.findUniqueOrThrow({ where: { id: alice.id } })
  print(`Alice now: plan=${now.plan}`)
  await prisma.$disconnect()
}
