import type { AuditEntry } from '@chronicle/core'
import { type TestTables, userRow } from '@chronicle/test-kit'
import Database from 'better-sqlite3'
import { type Generated, Kysely, type Selectable, SqliteAdapter, SqliteDialect } from 'kysely'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { auditPlugin, createAuditTable } from '../src/index.js'
import { adapterOf, sqliteHandleOf } from '../src/kysely-internals.js'

type DB = { users: Omit<TestTables['users'], 'id'> & { id: Generated<number> } }

function open() {
  const sqlite = new Database(':memory:')
  sqlite.exec(`CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT,
    score INTEGER NOT NULL DEFAULT 0, active INTEGER, balance INTEGER, born_at TEXT, profile TEXT,
    avatar BLOB, updated_at TEXT, password_hash TEXT)`)
  const audit = auditPlugin<DB>({ tables: { users: {} } })
  const db = new Kysely<DB>({
    dialect: audit.dialect(new SqliteDialect({ database: sqlite })),
  })
  return { sqlite, audit, db }
}

describe('kysely:sqlite adapter specifics', () => {
  it('reads a Kysely instance’s adapter through the one internal API it relies on', () => {
    const { db } = open()
    // If Kysely renames or hides getExecutor(), this fails before users do.
    expect(adapterOf(db)).toBeInstanceOf(SqliteAdapter)
  })

  it('finds the better-sqlite3 handle under a SqliteDialect connection', async () => {
    const sqlite = new Database(':memory:')
    const driver = new SqliteDialect({ database: sqlite }).createDriver()
    await driver.init()
    // If Kysely's connection stops preparing through the handle it was given, this fails
    // before users lose prepared-statement reuse.
    expect(await sqliteHandleOf(await driver.acquireConnection())).toBe(sqlite)
    // Other drivers have none to find.
    const other = await sqliteHandleOf({
      executeQuery: async () => ({ rows: [] }),
      streamQuery: () => {
        throw new Error('unused')
      },
    })
    expect(other).toBeUndefined()
    await driver.destroy()
  })

  it('prepares each of its own statements once, and anew after the integer mode changes', async () => {
    const prepared: string[] = []
    const prepare = Database.prototype.prepare
    // Counts what better-sqlite3 really prepares (the cache calls through to this).
    Database.prototype.prepare = function (this: Database.Database, source: string) {
      prepared.push(source)
      return prepare.call(this, source)
    } as typeof prepare
    try {
      const { db, sqlite, audit } = open()
      await createAuditTable(db)
      await db.insertInto('users').values(userRow('sqlite', 1)).execute()
      for (let i = 0; i < 3; i++) await db.updateTable('users').set({ score: i }).execute()
      const audits = () => prepared.filter((s) => s.startsWith('INSERT INTO "audit_logs"')).length
      expect(audits()).toBe(1) // entries of every write share one INSERT text
      // So are the transaction's own BEGIN and COMMIT around each standalone write…
      expect(prepared.filter((s) => s === 'BEGIN IMMEDIATE').length).toBe(1)
      expect(prepared.filter((s) => s === 'commit').length).toBe(1)
      // …and the audited write, which Chronicle runs with RETURNING…
      expect(prepared.filter((s) => s.startsWith('update "users"')).length).toBe(1)
      // …while statements Chronicle does not run are prepared as Kysely prepares them.
      for (let i = 0; i < 2; i++) await db.selectFrom('users').selectAll().execute()
      expect(prepared.filter((s) => s === 'select * from "users"').length).toBe(2)
      sqlite.defaultSafeIntegers(true)
      await db.updateTable('users').set({ score: 9 }).execute()
      expect(audits()).toBe(2)
      const { items } = await audit.logs()
      // The fresh statement read in the new mode: an exact integer.
      expect(items.map((e) => e.newValues?.score)).toEqual([9n, 2, 1, 0, 1])
    } finally {
      Database.prototype.prepare = prepare
    }
  })

  it('createAuditTable(db) creates the table and its five indexes, and is idempotent', async () => {
    const { db, sqlite } = open()
    await createAuditTable(db)
    await createAuditTable(db)
    const indexes = sqlite
      .prepare(
        `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_logs' AND sql IS NOT NULL`,
      )
      .all()
    expect(indexes).toHaveLength(5)
  })

  it('db.transaction().execute() groups entries; a throw inside leaves none', async () => {
    const { db, audit } = open()
    await createAuditTable(db)
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('users').values(userRow('sqlite', 1)).execute()
      await trx.updateTable('users').set({ name: 'x' }).execute()
    })
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('users').values(userRow('sqlite', 2)).execute()
        throw new Error('no')
      }),
    ).rejects.toThrow('no')
    const { items } = await audit.logs()
    expect(items.map((e) => e.action)).toEqual(['UPDATE', 'INSERT'])
    expect(new Set(items.map((e) => e.transactionId)).size).toBe(1)
  })

  it('a second dialect() call on one audit is refused', () => {
    const { audit } = open()
    expect(() => audit.dialect(new SqliteDialect({ database: new Database(':memory:') }))).toThrow(
      /already attached/,
    )
  })

  it('history and stateAt are typed with the table’s selectable row', async () => {
    const { db, audit } = open()
    await createAuditTable(db)
    await db.insertInto('users').values(userRow('sqlite', 1)).execute()
    const users = audit.table('users')
    const history = await users.history(1)
    expectTypeOf(history).toEqualTypeOf<AuditEntry<Selectable<DB['users']>>[]>()
    expectTypeOf(await users.stateAt(1, new Date())).toEqualTypeOf<Selectable<DB['users']> | null>()
    expect(history[0]?.newValues?.email).toBe('user1@example.com')
    // @ts-expect-error: only audited, existing tables have a repo
    expect(() => audit.table('nope')).toThrow()
  })
})
