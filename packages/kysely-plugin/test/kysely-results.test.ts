import {
  createFixtureTables,
  createTestDatabase,
  DATABASES,
  isAvailable,
  type TestDatabase,
  userRow,
} from '@chronicle/test-kit'
import { type Dialect, Kysely, MysqlDialect, PostgresDialect, SqliteDialect } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { auditPlugin, createAuditTable } from '../src/index.js'

// biome-ignore lint/suspicious/noExplicitAny: the fixture tables are written by name.
type AnyDb = Kysely<any>

function dialectFor(db: TestDatabase): Dialect {
  if (db.kind === 'sqlite') return new SqliteDialect({ database: db.sqlite as never })
  if (db.kind === 'postgres') return new PostgresDialect({ pool: db.pgPool() })
  return new MysqlDialect({ pool: db.mysqlPool() })
}

/** A plain and an audited Kysely over one database: results must be the same. */
async function open(db: TestDatabase) {
  await createFixtureTables(db)
  const audit = auditPlugin({ tables: { users: {}, orders: { primaryKey: 'order_id' } } })
  const audited: AnyDb = new Kysely({ dialect: audit.dialect(dialectFor(db)) })
  const plain: AnyDb = new Kysely({ dialect: dialectFor(db) })
  await createAuditTable(audited)
  return { audit, audited, plain }
}

for (const kind of DATABASES) {
  const available = await isAvailable(kind)
  describe.skipIf(!available)(`kysely:${kind} results are Kysely's own`, () => {
    let db: TestDatabase | undefined
    const cleanup: AnyDb[] = []
    afterEach(async () => {
      for (const k of cleanup.splice(0)) await k.destroy()
      await db?.drop()
    })
    const start = async () => {
      db = await createTestDatabase(kind)
      const opened = await open(db)
      cleanup.push(opened.audited, opened.plain)
      return { db, ...opened }
    }

    it('[14] insertId is what the plain driver reports (none on PostgreSQL)', async () => {
      const { db, audited, plain } = await start()
      const insert = (k: AnyDb, n: number) =>
        k.insertInto('users').values(userRow(db.dialect, n)).executeTakeFirst()
      const [a, p] = [await insert(audited, 1), await insert(plain, 2)]
      if (kind === 'postgres') expect(a.insertId).toBeUndefined()
      else expect(a.insertId).toBe(p.insertId === undefined ? undefined : p.insertId - 1n)
      expect(a.numInsertedOrUpdatedRows).toBe(p.numInsertedOrUpdatedRows)
    })

    it.skipIf(kind !== 'sqlite')(
      '[14] an insert that inserts nothing reports the last insert id, as plain SQLite does',
      async () => {
        const { db, audited, plain } = await start()
        await audited.insertInto('users').values(userRow(db.dialect, 1)).execute()
        await audited.insertInto('users').values(userRow(db.dialect, 2)).execute()
        const skip = (k: AnyDb) =>
          k
            .insertInto('users')
            .values({ id: 1, ...userRow(db.dialect, 1) })
            .onConflict((oc) => oc.column('id').doNothing())
            .executeTakeFirst()
        const a = await skip(audited)
        const p = await skip(plain)
        expect(a.insertId).toBe(p.insertId)
        expect(a.insertId).toBe(2n)
        expect(a.numInsertedOrUpdatedRows).toBe(0n)
      },
    )

    it.skipIf(kind !== 'mariadb')(
      '[16] DELETE … USING the target joined to another table deletes and records the same rows',
      async () => {
        const { db, audited, audit } = await start()
        await audited
          .insertInto('users')
          .values([userRow(db.dialect, 1), userRow(db.dialect, 2)])
          .execute()
        await audited
          .insertInto('orders')
          .values({ order_id: 'o1', user_id: 2, total: 1, status: 'cat' })
          .execute()
        const result = await audited
          .deleteFrom('users')
          .using('users')
          .innerJoin('orders', 'orders.user_id', 'users.id')
          .where('orders.status', '=', 'cat')
          .executeTakeFirst()
        expect(result.numDeletedRows).toBe(1n)
        const deleted = (await audit.logs({ table: 'users', action: 'DELETE' })).items
        expect(deleted.map((e) => e.entityId)).toEqual(['2'])
        expect((await audited.selectFrom('users').select('id').execute()).map((r) => r.id)).toEqual(
          [1],
        )
      },
    )
  })
}
