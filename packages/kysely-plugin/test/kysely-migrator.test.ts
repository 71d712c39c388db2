import {
  createTestDatabase,
  DATABASES,
  type DatabaseKind,
  isAvailable,
  kyselyDialect,
  type TestDatabase,
} from '@chronicle/test-kit'
import { type Generated, Kysely } from 'kysely'
import { type Migration, Migrator } from 'kysely/migration'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { auditPlugin, createAuditTable } from '../src/index.js'

// docs/concepts.md "Creating the audit tables": createAuditTable inside a Kysely Migrator
// migration, next to the app's own tables, then audited writes through the app's db.
interface DB {
  notes: { id: Generated<number>; body: string }
}

const migrations = (kind: DatabaseKind): Record<string, Migration> => ({
  '001_notes': {
    async up(db) {
      await db.schema
        .createTable('notes')
        .addColumn('id', kind === 'postgres' ? 'serial' : 'integer', (c) =>
          kind === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('body', 'varchar(200)', (c) => c.notNull())
        .execute()
    },
  },
  '002_audit': {
    async up(db) {
      await createAuditTable(db)
    },
  },
})

const available = Object.fromEntries(
  await Promise.all(DATABASES.map(async (kind) => [kind, await isAvailable(kind)] as const)),
) as Record<DatabaseKind, boolean>

for (const kind of DATABASES) {
  describe.skipIf(!available[kind])(
    `kysely:${kind} createAuditTable in a Kysely Migrator migration${available[kind] ? '' : ' (server not reachable: skipped)'}`,
    () => {
      let database: TestDatabase

      beforeAll(async () => {
        database = await createTestDatabase(kind)
      })
      afterAll(() => database.drop())

      it('creates the audit tables, once, and the app then audits through them', async () => {
        const audit = auditPlugin<DB>({ tables: { notes: {} } })
        const db = new Kysely<DB>({ dialect: audit.dialect(kyselyDialect(database)) })
        const provider = { getMigrations: async () => migrations(kind) }
        const first = await new Migrator({ db, provider }).migrateToLatest()
        expect(first.error).toBeUndefined()
        expect(first.results?.map((r) => [r.migrationName, r.status])).toEqual([
          ['001_notes', 'Success'],
          ['002_audit', 'Success'],
        ])
        const again = await new Migrator({ db, provider }).migrateToLatest()
        expect(again.results).toEqual([])

        await db.insertInto('notes').values({ body: 'hello' }).execute()
        const note = await db.selectFrom('notes').select('id').executeTakeFirstOrThrow()
        const [entry] = await audit.table('notes').history(note.id)
        expect(entry).toMatchObject({ action: 'INSERT', newValues: { body: 'hello' } })
        expect(await audit.verify()).toMatchObject({ ok: true, broken: [] })
        await db.destroy()
      })
    },
  )
}
