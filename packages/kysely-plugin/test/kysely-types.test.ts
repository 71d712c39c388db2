import {
  createTestDatabase,
  DATABASES,
  type DatabaseKind,
  isAvailable,
  kyselyDialect,
  type TestDatabase,
} from '@chronicle/test-kit'
import { type Generated, Kysely, type Selectable } from 'kysely'
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import {
  type AuditEntry,
  type AuditLogRow,
  auditPlugin,
  createAuditTable,
  type VersionDiff,
} from '../src/index.js'

interface DB {
  users: { id: Generated<number>; email: string }
  orders: { order_id: string; total: number }
}
type User = Selectable<DB['users']>
type Order = Selectable<DB['orders']>

// Checked by tsc (pnpm typecheck), never called: results follow the table a call names, and
// what cannot be right does not compile.
async function typedQueries(audit: ReturnType<typeof auditPlugin<DB>>) {
  expectTypeOf((await audit.logs({ table: 'users' })).items).toEqualTypeOf<AuditEntry<User>[]>()
  expectTypeOf((await audit.logs({ actorId: 'u1' })).items).toEqualTypeOf<AuditEntry[]>()
  expectTypeOf(await audit.entry(1, { table: 'orders' })).toEqualTypeOf<AuditEntry<Order>>()
  expectTypeOf(await audit.entry(1)).toEqualTypeOf<AuditEntry>()
  expectTypeOf(await audit.compare(1, 2, { table: 'users' })).toEqualTypeOf<VersionDiff<User>>()
  for await (const entry of audit.export({ table: 'orders' })) {
    expectTypeOf(entry).toEqualTypeOf<AuditEntry<Order>>()
  }
  expectTypeOf(await audit.table('users').history(1)).toEqualTypeOf<AuditEntry<User>[]>()
  // @ts-expect-error: not an audited table
  await audit.logs({ table: 'userz' })
  // @ts-expect-error: not an audited table
  await audit.entry(1, { table: 'userz' })
  // @ts-expect-error: users.id is a number
  await audit.table('users').history('not-a-number')
  // Composite and object keys are accepted for every table.
  await audit.table('users').history({ id: 1 })
  // @ts-expect-error: not a column of users
  auditPlugin<DB>({ tables: { users: { redact: ['pasword'] } } })
  // An event's target type is not a table: it has a filter of its own.
  await audit.logs({ targetType: 'organization' })
}

const available = Object.fromEntries(
  await Promise.all(DATABASES.map(async (kind) => [kind, await isAvailable(kind)] as const)),
) as Record<DatabaseKind, boolean>

for (const kind of DATABASES) {
  describe.skipIf(!available[kind])(
    `kysely:${kind} typed queries${available[kind] ? '' : ' (server not reachable: skipped)'}`,
    () => {
      let database: TestDatabase
      beforeAll(async () => {
        database = await createTestDatabase(kind)
        await database.exec(
          'CREATE TABLE orders (order_id VARCHAR(20) PRIMARY KEY, total INTEGER NOT NULL)',
        )
      })
      afterAll(() => database.drop())

      it('entry and compare check the table they are typed with; AuditLogRow is what a query reads', async () => {
        expectTypeOf(typedQueries).toBeFunction()
        const audit = auditPlugin<DB>({ tables: { orders: { primaryKey: 'order_id' } } })
        const db = new Kysely<DB>({ dialect: audit.dialect(kyselyDialect(database)) })
        await createAuditTable(db)
        await db.insertInto('orders').values({ order_id: 'A-1', total: 5 }).execute()
        await db.updateTable('orders').set({ total: 7 }).execute()
        await audit.log({ action: 'billing.plan.changed', targetType: 'organization', targetId: 7 })
        const [event, update, insert] = (await audit.logs()).items
        if (!event || !update || !insert) throw new Error('expected three entries')

        expect((await audit.entry(update.id, { table: 'orders' })).newValues?.total).toBe(7)
        await expect(audit.entry(event.id, { table: 'orders' })).rejects.toMatchObject({
          code: 'INVALID_FILTER',
        })
        const diff = await audit.compare(insert.id, update.id, { table: 'orders' })
        expect(diff.changedFields).toEqual(['total'])
        await expect(audit.compare(insert.id, event.id, { table: 'orders' })).rejects.toMatchObject(
          { code: 'INVALID_FILTER' },
        )
        const events = await audit.logs({ targetType: 'organization' })
        expect(events.items.map((e) => e.id)).toEqual([event.id])

        // An app reading the audit table with its own Kysely gets values of AuditLogRow's types.
        const reader = new Kysely<{ audit_logs: AuditLogRow }>({ dialect: kyselyDialect(database) })
        const row = await reader
          .selectFrom('audit_logs')
          .selectAll()
          .where('action', '=', 'UPDATE')
          .executeTakeFirstOrThrow()
        expect(['number', 'string']).toContain(typeof row.id)
        expect(row.created_at instanceof Date || typeof row.created_at === 'string').toBe(true)
        expect(row).toMatchObject({ action: 'UPDATE', table_name: 'orders', entity_id: 'A-1' })
        for (const json of [row.old_values, row.new_values, row.changed_fields]) {
          expect(json === null || ['object', 'string'].includes(typeof json)).toBe(true)
        }
        await db.destroy()
      })
    },
  )
}
