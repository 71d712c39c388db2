import {
  createFixtureTables,
  createTestDatabase,
  DATABASES,
  isAvailable,
  kyselyDialect,
  type TestDatabase,
  type TestTables,
  userRow,
} from '@chronicle/test-kit'
import { Kysely } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { auditPlugin, type Chronicle, createAuditTable } from '../src/index.js'

type AnyDb = Kysely<any>

/** A plain and an audited Kysely over one database: results must be the same. */
async function open(db: TestDatabase) {
  await createFixtureTables(db)
  const audit = auditPlugin<TestTables>({
    tables: { users: {}, orders: { primaryKey: 'order_id' } },
  })
  const audited: AnyDb = new Kysely({ dialect: audit.dialect(kyselyDialect(db)) })
  const plain: AnyDb = new Kysely({ dialect: kyselyDialect(db) })
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

    it("[14] insertId is the plain driver's for explicit keys, mixed keys and tables without a generated key", async () => {
      const { db, audited, plain, audit } = await start()
      const d = db.dialect
      const insert = (k: AnyDb, table: string, rows: Record<string, unknown>[]) =>
        k.insertInto(table).values(rows).executeTakeFirst()
      const less = (id: bigint | undefined, n: bigint) => (id === undefined ? undefined : id - n)
      // Explicit keys, not in order: MariaDB reports the last row's.
      const explicit = await insert(audited, 'users', [
        userRow(d, 1, { id: 5 }),
        userRow(d, 2, { id: 3 }),
      ])
      const plainExplicit = await insert(plain, 'users', [
        userRow(d, 3, { id: 15 }),
        userRow(d, 4, { id: 13 }),
      ])
      expect(explicit.insertId).toBe(less(plainExplicit.insertId, 10n))
      const order = (id: string) => ({ order_id: id, user_id: 1, total: 1, status: 'new' })
      const keyed = await insert(audited, 'orders', [order('o1')])
      const plainKeyed = await insert(plain, 'orders', [order('o2')])
      expect(keyed.insertId).toBe(less(plainKeyed.insertId, 1n))
      if (kind !== 'postgres') {
        // A NULL key is generated (PostgreSQL refuses it); MariaDB reports the first generated.
        const mixed = await insert(audited, 'users', [
          userRow(d, 5, { id: 40 }),
          userRow(d, 6, { id: null }),
        ])
        const plainMixed = await insert(plain, 'users', [
          userRow(d, 7, { id: 50 }),
          userRow(d, 8, { id: null }),
        ])
        expect(mixed.insertId).toBe(less(plainMixed.insertId, 10n))
        const generated = await audited
          .selectFrom('users')
          .select('id')
          .where('email', '=', 'user6@example.com')
          .executeTakeFirstOrThrow()
        const inserted = (await audit.logs({ table: 'users', action: 'INSERT' })).items
        expect(inserted.map((e) => e.entityId)).toContain(String(generated.id))
      }
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

    it.skipIf(kind !== 'postgres')(
      "[18] tables match by schema and name: another schema's table of the same name passes through; schema-qualified writes are audited",
      async () => {
        const { db } = await start()
        await db.exec('CREATE SCHEMA mammals')
        await db.exec('CREATE TABLE pet (id INT PRIMARY KEY, name TEXT)')
        await db.exec('CREATE TABLE mammals.pet (id INT PRIMARY KEY, name TEXT)')
        const unqualified = auditPlugin({ tables: { pet: {} } })
        const k1: AnyDb = new Kysely({ dialect: unqualified.dialect(kyselyDialect(db)) })
        cleanup.push(k1)
        await k1.insertInto('mammals.pet').values({ id: 1, name: 'cat' }).execute()
        await k1.updateTable('mammals.pet').set({ name: 'lion' }).execute()
        await k1.insertInto('public.pet').values({ id: 1, name: 'dog' }).execute()
        await k1.insertInto('pet').values({ id: 2, name: 'fish' }).execute()
        const logged = (await unqualified.logs({})).items.map((e) => [e.tableName, e.entityId])
        expect(logged).toEqual([
          ['pet', '2'],
          ['pet', '1'],
        ])

        const qualified = auditPlugin({ tables: { 'mammals.pet': {} } })
        const k2: AnyDb = new Kysely({ dialect: qualified.dialect(kyselyDialect(db)) })
        cleanup.push(k2)
        await k2.updateTable('mammals.pet').set({ name: 'tiger' }).where('id', '=', 1).execute()
        await k2.deleteFrom('mammals.pet as p').where('p.id', '=', 1).execute()
        await k2.updateTable('pet').set({ name: 'untracked' }).execute()
        const entries = (await qualified.logs({ table: 'mammals.pet' })).items
        expect(entries.map((e) => e.action)).toEqual(['DELETE', 'UPDATE'])
        expect(entries[1]?.oldValues).toEqual({ name: 'lion' })
        // The unaudited public.pet update added nothing to the two entries written through k1.
        // ('pet' is not one of this instance's tables, so its typed logs() would not take it.)
        const untyped = qualified as unknown as Chronicle
        expect((await untyped.logs({ table: 'pet' })).items).toHaveLength(2)
      },
    )

    it('[18] a temporary table named like an audited one takes unqualified writes unaudited; dropping it restores auditing', async () => {
      const { audited, audit } = await start()
      await audited
        .insertInto('orders')
        .values({ order_id: 'real', user_id: 1, total: 1, status: 'new' })
        .execute()
      await audited.connection().execute(async (conn) => {
        await conn.schema
          .createTable('orders')
          .temporary()
          .addColumn('order_id', 'varchar(20)', (c) => c.primaryKey())
          .addColumn('note', 'varchar(20)')
          .execute()
        await conn.insertInto('orders').values({ order_id: 'tmp', note: 'x' }).execute()
        await conn.updateTable('orders').set({ note: 'y' }).execute()
        await conn.deleteFrom('orders').execute()
        await conn.schema.dropTable('orders').execute()
        await conn.updateTable('orders').set({ status: 'paid' }).execute()
      })
      const entries = (await audit.logs({ table: 'orders' })).items
      expect(entries.map((e) => [e.action, e.entityId])).toEqual([
        ['UPDATE', 'real'],
        ['INSERT', 'real'],
      ])
      expect(await audited.selectFrom('orders').select(['order_id', 'status']).execute()).toEqual([
        { order_id: 'real', status: 'paid' },
      ])
    })
  })
}
