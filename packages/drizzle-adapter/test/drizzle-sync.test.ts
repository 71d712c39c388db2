import { getDialect } from '@chronicle/core/adapter'
import { openSqlite, type TestDatabase } from '@chronicle/test-kit'
import { eq, gt } from 'drizzle-orm'
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { auditPlugin, ChronicleError, createAuditTable } from '../src/index.js'
import { APP_DDL, sqliteApp } from './app-schema.js'

const { users } = sqliteApp
type Db = BetterSQLite3Database<typeof sqliteApp>

/** Drizzle on better-sqlite3: its transactions, and every write in them, are synchronous. */
describe('drizzle:sqlite synchronous driver', () => {
  let database: TestDatabase | undefined
  afterEach(async () => {
    await database?.drop()
  })

  const start = async (mode?: 'at-commit') => {
    const db = openSqlite()
    database = db
    for (const statement of APP_DDL.sqlite) await db.exec(statement)
    const audit = auditPlugin({ tables: [users], ...(mode && { entries: mode }) })
    const plain: Db = drizzle(db.sqlite as never, { schema: sqliteApp })
    const audited = audit.attach(plain)
    await createAuditTable(audited)
    const q = getDialect('sqlite').quote
    const entries = () => db.exec(`SELECT * FROM ${q('audit_logs')} ORDER BY ${q('id')}`)
    const names = () => db.exec('SELECT name FROM users ORDER BY id')
    return { db, audit, plain, audited, entries, names }
  }
  const user = (n: number) => ({ email: `u${n}@example.com`, name: `User ${n}`, score: n })

  it('writes in a synchronous transaction are captured in it, with one transaction id', async () => {
    const { audited, entries } = await start()
    const result = audited.transaction((tx) => {
      tx.insert(users)
        .values([user(1), user(2)])
        .run()
      return tx.update(users).set({ name: 'both' }).where(gt(users.score, 0)).returning().all()
    })
    expect(result.map((u) => u.name)).toEqual(['both', 'both'])
    const logged = await entries()
    expect(logged.map((e) => e.action)).toEqual(['INSERT', 'INSERT', 'UPDATE', 'UPDATE'])
    expect(new Set(logged.map((e) => e.transaction_id)).size).toBe(1)
  })

  it('a synchronous transaction that throws leaves neither rows nor entries', async () => {
    const { audited, entries, names } = await start()
    expect(() =>
      audited.transaction((tx) => {
        tx.insert(users).values(user(1)).run()
        throw new Error('boom')
      }),
    ).toThrow('boom')
    expect(await names()).toEqual([])
    expect(await entries()).toEqual([])
  })

  it('a nested transaction is a savepoint: its rollback takes its entries, the rest commit', async () => {
    const { audited, entries, names } = await start()
    audited.transaction((tx) => {
      tx.insert(users).values(user(1)).run()
      try {
        tx.transaction((inner) => {
          inner.update(users).set({ name: 'undone' }).where(eq(users.id, 1)).run()
          inner.rollback()
        })
      } catch {}
      tx.update(users).set({ name: 'kept' }).where(eq(users.id, 1)).run()
    })
    expect(await names()).toEqual([{ name: 'kept' }])
    expect((await entries()).map((e) => e.action)).toEqual(['INSERT', 'UPDATE'])
  })

  it("entries: 'at-commit' writes a synchronous transaction's entries at COMMIT, savepoints respected", async () => {
    const { audited, entries, names } = await start('at-commit')
    audited.transaction((tx) => {
      tx.insert(users)
        .values([user(1), user(2)])
        .run()
      try {
        tx.transaction((inner) => {
          inner.update(users).set({ name: 'undone' }).where(eq(users.id, 1)).run()
          inner.rollback()
        })
      } catch {}
      tx.update(users).set({ name: 'kept' }).where(eq(users.id, 2)).run()
    })
    expect(await names()).toEqual([{ name: 'User 1' }, { name: 'kept' }])
    const logged = await entries()
    expect(logged.map((e) => [e.action, e.entity_id])).toEqual([
      ['INSERT', '1'],
      ['INSERT', '2'],
      ['UPDATE', '2'],
    ])
  })

  it("entries: 'at-commit': an entry refused at COMMIT rolls the synchronous transaction back (AUDIT_FAILED)", async () => {
    const { db, audited, entries, names } = await start('at-commit')
    await db.exec(
      "CREATE TRIGGER reject_audit BEFORE INSERT ON audit_logs WHEN NEW.entity_id = '2' BEGIN SELECT RAISE(ABORT, 'audit rejected'); END",
    )
    let wrote = false
    let error: unknown
    try {
      audited.transaction((tx) => {
        tx.insert(users)
          .values([user(1), user(2)])
          .run()
        wrote = true
      })
    } catch (e) {
      error = e
    }
    expect(wrote).toBe(true)
    expect(error).toBeInstanceOf(ChronicleError)
    expect(error).toMatchObject({ code: 'AUDIT_FAILED' })
    expect(await names()).toEqual([])
    expect(await entries()).toEqual([])
  })

  it('an async transaction callback is refused before it runs (UNSUPPORTED)', async () => {
    const { audited, entries, names } = await start()
    let ran = false
    const attempt = () =>
      audited.transaction(async (tx) => {
        ran = true
        await tx.insert(users).values(user(1))
      })
    expect(attempt).toThrow(ChronicleError)
    expect(ran).toBe(false)
    expect(await names()).toEqual([])
    expect(await entries()).toEqual([])
  })

  it('a callback that returns a promise is refused, and its later writes cannot escape', async () => {
    const { audited, entries, names } = await start()
    let later: Promise<unknown> | undefined
    const attempt = () =>
      audited.transaction((tx) => {
        tx.insert(users).values(user(1)).run()
        later = Promise.resolve().then(() => tx.insert(users).values(user(2)).run())
        return later
      })
    expect(attempt).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }))
    await expect(later).rejects.toMatchObject({ code: 'UNSUPPORTED' })
    expect(await names()).toEqual([])
    expect(await entries()).toEqual([])
  })

  it('audit.log({ tx }) in a synchronous transaction is written in it, and rolls back with it', async () => {
    const { audit, audited, entries } = await start()
    const event = { action: 'billing.plan.changed', targetType: 'user', targetId: '1' }
    audited.transaction((tx) => {
      tx.insert(users).values(user(1)).run()
      void audit.log(event, { tx })
    })
    expect(() =>
      audited.transaction((tx) => {
        void audit.log({ ...event, targetId: '2' }, { tx })
        throw new Error('boom')
      }),
    ).toThrow('boom')
    const logged = await entries()
    expect(logged.map((e) => [e.action, e.entity_id])).toEqual([
      ['INSERT', '1'],
      ['billing.plan.changed', '1'],
    ])
    expect(logged[0]?.transaction_id).toBe(logged[1]?.transaction_id)
  })

  it('run/all/get/values give what the plain driver gives', async () => {
    const { audited, plain } = await start()
    const a = audited.insert(users).values(user(1)).run()
    const p = plain.insert(users).values(user(2)).run()
    expect(a).toEqual({ changes: p.changes, lastInsertRowid: 1 })
    const got = audited.update(users).set({ score: 5 }).where(eq(users.id, 1)).returning().get()
    const same = plain.update(users).set({ score: 5 }).where(eq(users.id, 2)).returning().get()
    expect(got).toEqual({ ...same, id: 1, email: 'u1@example.com', name: 'User 1' })
    const values = audited
      .update(users)
      .set({ score: 6 })
      .where(eq(users.id, 1))
      .returning({ id: users.id, score: users.score })
      .values()
    expect(values).toEqual(
      plain
        .update(users)
        .set({ score: 6 })
        .where(eq(users.id, 1))
        .returning({ id: users.id, score: users.score })
        .values(),
    )
    expect(audited.delete(users).where(eq(users.id, 1)).run().changes).toBe(1)
  })
})
