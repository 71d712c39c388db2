import { createServer } from 'node:http'
import { PassThrough } from 'node:stream'
import { auditContextMiddleware, auditPlugin, createAuditTable } from '@chronicle/kysely'
import Database from 'better-sqlite3'
import { type Generated, Kysely, SqliteDialect } from 'kysely'

interface DB {
  users: {
    id: Generated<number>
    email: string
    plan: string
    password_hash: string
    updated_at: string | null
  }
}

/** Every operations snippet of the README, run end to end on SQLite. Returns what it saw. */
export async function runOperations(file = ':memory:') {
  const audit = auditPlugin<DB>({
    tables: { users: { ignore: ['updated_at'], redact: ['password_hash'] } },
  })
  const db = new Kysely<DB>({
    dialect: audit.dialect(new SqliteDialect({ database: new Database(file) })),
  })
  await db.schema
    .createTable('users')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('plan', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text')
    .execute()
  await createAuditTable(db)

  // Request context: every entry written while handling a request carries who and where.
  const withContext = auditContextMiddleware({
    actor: (req) => req.headers['x-user-id'] as string | undefined,
  })
  const server = createServer((req, res) =>
    withContext(req, res, async () => {
      await db
        .insertInto('users')
        .values({ email: 'ada@example.com', plan: 'free', password_hash: 'h1' })
        .execute()
      res.end('ok')
    }),
  )
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await fetch(`http://127.0.0.1:${port}/signup`, {
    headers: { 'x-user-id': 'u1', 'user-agent': 'demo' },
  })
  server.close()

  // Explicit events, inside the transaction of the change they describe.
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('users')
      .set({ plan: 'pro' })
      .where('email', '=', 'ada@example.com')
      .execute()
    await audit.log(
      {
        action: 'billing.plan.changed',
        targetType: 'user',
        targetId: 1,
        metadata: { plan: 'pro' },
      },
      { tx: trx },
    )
  })
  // Redaction and ignore: this writes no entry (only an ignored column changed)…
  await db.updateTable('users').set({ updated_at: '2026-11-24' }).execute()
  // …and this one stores "[REDACTED]" on both sides.
  await db.updateTable('users').set({ password_hash: 'h2' }).execute()

  const billing = await audit.logs({ action: 'billing' })
  const stats = await audit.stats()

  // Transaction revert: undo every change of one transaction.
  const [event] = billing.items
  const reverted = await audit.revertTransaction(event?.transactionId ?? '')
  const plan = (await db.selectFrom('users').select('plan').executeTakeFirstOrThrow()).plan

  // Integrity: seal committed entries into the chain (on a schedule in production), then verify.
  await audit.seal({ sealDelayMs: 0 })
  const verified = await audit.verify()

  // Export: stream entries as JSON Lines (a file, S3, stdout…).
  const out = new PassThrough()
  let jsonl = ''
  out.on('data', (chunk) => {
    jsonl += chunk
  })
  const exported = await audit.exportJsonl({ table: 'users' }, out)

  // Retention: preview, then delete in batches; verify stays true.
  const preview = await audit.cleanup({ keepDays: 0, dryRun: true })
  await db.destroy()
  return { billing, stats, reverted, plan, verified, exported, jsonl, preview }
}
