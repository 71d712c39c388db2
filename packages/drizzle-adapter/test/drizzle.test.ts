import { getDialect } from '@chronicle/core/adapter'
import { createTestDatabase, DATABASES, isAvailable, type TestDatabase } from '@chronicle/test-kit'
import type Database from 'better-sqlite3'
import { eq, gt, sql } from 'drizzle-orm'
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3'
import { drizzle as drizzleMysql } from 'drizzle-orm/mysql2'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import { alias as pgAlias } from 'drizzle-orm/pg-core'
import { afterEach, describe, expect, it } from 'vitest'
import { auditPlugin, ChronicleError, createAuditTable } from '../src/index.js'
import { APP_DDL, mysqlApp, pgApp, sqliteApp } from './app-schema.js'

type Db = any

function drizzleFor(
  db: TestDatabase,
  schema: Record<string, unknown>,
): { db: Db; close: () => Promise<void> } {
  if (db.kind === 'sqlite')
    return { db: drizzleSqlite(db.sqlite as never, { schema }), close: async () => {} }
  if (db.kind === 'postgres') {
    const pool = db.pgPool()
    return { db: drizzlePg(pool, { schema }), close: () => pool.end() }
  }
  const pool = db.mysqlPool()
  return {
    db: drizzleMysql(pool, { schema, mode: 'default' }),
    close: () => new Promise<void>((resolve) => pool.end(() => resolve())),
  }
}

for (const kind of DATABASES) {
  const available = await isAvailable(kind)
  describe.skipIf(!available)(`drizzle:${kind}`, () => {
    let database: TestDatabase | undefined
    const closers: (() => Promise<void>)[] = []
    afterEach(async () => {
      for (const close of closers.splice(0)) await close()
      await database?.drop()
    })

    /** A plain and an audited Drizzle db over one database: results must be the same. */
    const start = async () => {
      const db = await createTestDatabase(kind)
      database = db
      for (const statement of APP_DDL[db.dialect]) await db.exec(statement)
      const app = kind === 'postgres' ? pgApp : kind === 'mariadb' ? mysqlApp : sqliteApp
      const audit = auditPlugin({ tables: [app.users, app.tokens] })
      const plainClient = drizzleFor(db, app)
      const auditedClient = drizzleFor(db, app)
      closers.push(plainClient.close, auditedClient.close)
      const audited: Db = audit.attach(auditedClient.db)
      await createAuditTable(audited)
      const entries = () => {
        const q = getDialect(db.dialect).quote
        return db.exec(`SELECT * FROM ${q('audit_logs')} ORDER BY ${q('id')}`)
      }
      return { db, app: app as Db, audit, plain: plainClient.db as Db, audited, entries }
    }
    const user = (n: number) => ({
      email: `u${n}@example.com`,
      name: `User ${n}`,
      score: n,
      bornAt: new Date(Date.UTC(2000, 0, n, 10, 0, 0, 123)),
      profile: { plan: n % 2 ? 'free' : 'pro' },
    })

    it.skipIf(kind === 'mariadb')(
      '.returning() gives exactly the rows Drizzle gives, decoded by its columns',
      async () => {
        const { app, plain, audited, entries } = await start()
        const { users } = app
        const [a] = await audited.insert(users).values(user(1)).returning()
        const [p] = await plain.insert(users).values(user(2)).returning()
        expect(a).toEqual({ ...p, id: a.id, ...user(1) })
        expect(a.bornAt).toBeInstanceOf(Date)
        const pick = {
          key: users.id,
          upper: sql<string>`upper(${users.email})`.as('upper'),
          born: users.bornAt,
        }
        const updated = await audited
          .update(users)
          .set({ score: 10 })
          .where(eq(users.id, a.id))
          .returning(pick)
        const same = await plain
          .update(users)
          .set({ score: 10 })
          .where(eq(users.id, p.id))
          .returning(pick)
        expect(updated).toEqual([{ key: a.id, upper: 'U1@EXAMPLE.COM', born: user(1).bornAt }])
        expect(Object.keys(updated[0])).toEqual(Object.keys(same[0]))
        const deleted = await audited
          .delete(users)
          .where(eq(users.id, a.id))
          .returning({ id: users.id })
        expect(deleted).toEqual([{ id: a.id }])
        expect((await entries()).map((e) => e.action)).toEqual(['INSERT', 'UPDATE', 'DELETE'])
      },
    )

    it.runIf(kind === 'sqlite')(
      "prepares each of Chronicle's statements once, and anew after the integer mode changes",
      async () => {
        const { db, app, audit, audited } = await start()
        const sqlite = db.sqlite as Database.Database
        const prepared: string[] = []
        const prepare = sqlite.prepare
        // Counts what better-sqlite3 really prepares (the cache calls through to this).
        sqlite.prepare = function (this: Database.Database, source: string) {
          prepared.push(source)
          return prepare.call(this, source)
        } as typeof prepare
        await audited.insert(app.users).values(user(1))
        for (let i = 0; i < 3; i++) await audited.update(app.users).set({ score: 10 + i })
        const audits = () => prepared.filter((s) => s.startsWith('INSERT INTO "audit_logs"')).length
        expect(audits()).toBe(1) // entries of every write share one INSERT text
        expect(prepared.filter((s) => s.startsWith('update "users"')).length).toBe(1)
        sqlite.defaultSafeIntegers(true)
        await audited.update(app.users).set({ score: 20 })
        expect(audits()).toBe(2)
        sqlite.defaultSafeIntegers(false)
        // The fresh statement read in the new mode: an exact integer.
        const { items } = await audit.logs()
        expect(items.map((e) => e.newValues?.score)).toEqual([20n, 12, 11, 10, 1])
      },
    )

    it('results without .returning() report what the plain driver reports', async () => {
      const { app, plain, audited } = await start()
      const { users } = app
      await audited.insert(users).values([user(1), user(2)])
      await plain.insert(users).values([user(3), user(4)])
      const count = (r: Db) => (kind === 'mariadb' ? r[0].affectedRows : (r.rowCount ?? r.changes))
      const a = await audited.update(users).set({ name: 'x' }).where(gt(users.score, 2))
      const p = await plain.update(users).set({ name: 'y' }).where(gt(users.score, 2))
      expect(count(a)).toBe(count(p))
      const d = await audited.delete(users).where(eq(users.score, 1))
      expect(count(d)).toBe(1)
    })

    it('runtime defaults ($defaultFn) are evaluated once: the entry has the stored key', async () => {
      const { app, audited, db, entries } = await start()
      await audited.insert(app.tokens).values([{ label: 'a' }, { label: 'b' }])
      const rows = await db.exec('SELECT id, label FROM tokens ORDER BY label')
      const logged = await entries()
      expect(logged.map((e) => e.entity_id).sort()).toEqual(rows.map((r) => r.id).sort())
    })

    it.skipIf(kind !== 'mariadb')(
      '$returningId() gives the generated ids as Drizzle does',
      async () => {
        const { app, plain, audited } = await start()
        const ids = await audited
          .insert(app.users)
          .values([user(1), user(2)])
          .$returningId()
        const more = await plain
          .insert(app.users)
          .values([user(3), user(4)])
          .$returningId()
        expect(ids).toEqual([{ id: 1 }, { id: 2 }])
        expect(more).toEqual([{ id: 3 }, { id: 4 }])
      },
    )

    it('a prepared write with placeholders is captured on each execution', async () => {
      const { app, audited, audit } = await start()
      const { users } = app
      await audited.insert(users).values([user(1), user(2)])
      const rename = audited
        .update(users)
        .set({ name: sql.placeholder('name') })
        .where(eq(users.id, sql.placeholder('id')))
        .prepare('rename')
      await rename.execute({ name: 'first', id: 1 })
      await rename.execute({ name: 'second', id: 2 })
      const history = await audit.table('users').history(2)
      expect(history[0]?.newValues).toMatchObject({ name: 'second' })
      expect((await audit.table('users').history(1))[0]?.newValues).toMatchObject({ name: 'first' })
    })

    it('a write Drizzle builds elsewhere (db.with(…).update) is refused before it runs', async () => {
      const { app, audited, db } = await start()
      const { users } = app
      await audited.insert(users).values(user(1))
      const cte = audited.$with('ids').as(audited.select({ id: users.id }).from(users))
      const error = await (async () => audited.with(cte).update(users).set({ name: 'sneaky' }))()
        .then(() => undefined)
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(ChronicleError)
      expect((error as ChronicleError).code).toBe('UNSUPPORTED')
      expect((await db.exec('SELECT name FROM users'))[0]?.name).toBe('User 1')
    })

    it('raw SQL (db.execute / db.run) passes through, not captured', async () => {
      const { audited, db, entries } = await start()
      const statement = sql`insert into notes (body) values ('raw')`
      if (kind === 'sqlite') audited.run(statement)
      else await audited.execute(statement)
      const update = sql`update users set name = 'raw' where 1 = 0`
      if (kind === 'sqlite') audited.run(update)
      else await audited.execute(update)
      expect(await db.exec('SELECT body FROM notes')).toEqual([{ body: 'raw' }])
      expect(await entries()).toEqual([])
    })

    it('selects and the relational query API pass through untouched', async () => {
      const { app, audited, entries } = await start()
      await audited.insert(app.users).values([user(1), user(2)])
      const found = await audited.query.users.findMany({ where: eq(app.users.score, 2) })
      expect(found.map((u: Db) => u.email)).toEqual(['u2@example.com'])
      expect(await audited.select().from(app.users)).toHaveLength(2)
      expect(await entries()).toHaveLength(2)
    })

    it.skipIf(kind !== 'postgres')('an aliased target is refused rather than misread', async () => {
      const { app, audited } = await start()
      const u = pgAlias(app.users, 'u')
      await expect(audited.update(u).set({ name: 'x' })).rejects.toMatchObject({
        code: 'UNSUPPORTED',
      })
    })

    // SQLite's synchronous transactions have their own tests (drizzle-sync.test.ts).
    it.skipIf(kind === 'sqlite')(
      'nested transactions roll back their savepoint with its entries',
      async () => {
        const { app, audited, entries, db } = await start()
        const { users } = app
        const body = async (tx: Db) => {
          await tx.insert(users).values(user(1))
          await tx
            .transaction(async (inner: Db) => {
              await inner.insert(users).values(user(2))
              inner.rollback()
            })
            .catch(() => undefined)
          await tx.update(users).set({ name: 'kept' }).where(eq(users.score, 1))
        }
        await audited.transaction(body)
        expect((await entries()).map((e) => [e.action, e.entity_id])).toEqual([
          ['INSERT', '1'],
          ['UPDATE', '1'],
        ])
        expect(await db.exec('SELECT name FROM users')).toEqual([{ name: 'kept' }])
      },
    )
  })
}
