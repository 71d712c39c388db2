import {
  Chronicle,
  captureWriteSync,
  createAuditTable,
  getDialect,
  type SqlDatabase,
  type SqlResult,
  type SyncCaptureConnection,
  TransactionGuard,
  type WriteDescription,
} from '@chronicle/core/adapter'
import { openSqlite, rawConnection, type TestDatabase } from '@chronicle/test-kit'
import { describe, expect, it } from 'vitest'

type Sqlite = NonNullable<TestDatabase['sqlite']>

/** A better-sqlite3 handle as core's synchronous connection. */
function syncConnection(sqlite: Sqlite): SyncCaptureConnection {
  return {
    query<R>(sql: string, params: readonly unknown[]): SqlResult<R> {
      const statement = sqlite.prepare(sql)
      if (statement.reader) return { rows: statement.all(...params) as R[] }
      const { changes, lastInsertRowid } = statement.run(...params)
      return { rows: [], affectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) }
    },
    begin: () => void sqlite.exec('BEGIN IMMEDIATE'),
    commit: () => void sqlite.exec('COMMIT'),
    rollback: () => void sqlite.exec('ROLLBACK'),
  }
}

/** `UPDATE items SET n = ? WHERE id = ?`, described as an adapter would. */
function updateItem(id: number, n: number): WriteDescription {
  return {
    table: 'items',
    operation: 'update',
    assigns: ['n'],
    userReturning: null,
    statement(variant) {
      if (variant.kind === 'select') {
        return { sql: 'SELECT "items".* FROM "items" WHERE "id" = ?', params: [id] }
      }
      const returning = variant.returning ? ' RETURNING *' : ''
      return { sql: `UPDATE "items" SET "n" = ? WHERE "id" = ?${returning}`, params: [n, id] }
    },
  }
}

class TestAudit extends Chronicle<{ items: { id: number; n: number } }> {
  constructor(database: SqlDatabase) {
    super({ tables: { items: {} } })
    this.attachDatabase('sqlite', database)
  }
  get capture() {
    return this.engine
  }
}

function open() {
  const db = openSqlite()
  const sqlite = db.sqlite as Sqlite
  sqlite.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)')
  sqlite.exec('INSERT INTO items VALUES (1, 0), (2, 0)')
  const connection = rawConnection(db)
  const audit = new TestAudit({
    ...connection,
    transaction: () => Promise.reject(new Error('not used here')),
  })
  return { db, sqlite, audit, connection }
}

describe('core: the capture protocol run synchronously', () => {
  it('captures inside a synchronous better-sqlite3 transaction, never yielding', async () => {
    const { db, sqlite, audit, connection } = open()
    await createAuditTable(connection, getDialect('sqlite'))
    const guard = new TransactionGuard()
    const results = sqlite.transaction(() => {
      guard.begin()
      const first = captureWriteSync(audit.capture, syncConnection(sqlite), guard, updateItem(1, 5))
      const second = captureWriteSync(
        audit.capture,
        syncConnection(sqlite),
        guard,
        updateItem(2, 7),
      )
      guard.end()
      return [first, second]
    })()
    expect(results.map((r) => r.affectedRows)).toEqual([1n, 1n])
    const entries = (await audit.logs({ table: 'items' })).items
    expect(entries.map((e) => [e.entityId, e.oldValues, e.newValues])).toEqual([
      ['2', { n: 0 }, { id: 2, n: 7 }],
      ['1', { n: 0 }, { id: 1, n: 5 }],
    ])
    expect(new Set(entries.map((e) => e.transactionId)).size).toBe(1)
    await db.drop()
  })

  it('opens and commits its own transaction around a standalone write, and rolls back on failure', async () => {
    const { db, sqlite, audit, connection } = open()
    await createAuditTable(connection, getDialect('sqlite'))
    const guard = new TransactionGuard()
    captureWriteSync(audit.capture, syncConnection(sqlite), guard, updateItem(1, 3))
    expect(sqlite.inTransaction).toBe(false)
    sqlite.exec(
      `CREATE TRIGGER reject BEFORE INSERT ON audit_logs BEGIN SELECT RAISE(ABORT, 'no'); END`,
    )
    expect(() =>
      captureWriteSync(audit.capture, syncConnection(sqlite), guard, updateItem(2, 9)),
    ).toThrow(/AUDIT_FAILED|audit entries/)
    expect(sqlite.inTransaction).toBe(false)
    expect(sqlite.prepare('SELECT n FROM items ORDER BY id').all()).toEqual([{ n: 3 }, { n: 0 }])
    await db.drop()
  })
})
