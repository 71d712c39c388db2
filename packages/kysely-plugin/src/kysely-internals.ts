import { randomUUID } from 'node:crypto'
import { createRequire } from 'node:module'
import type { SqliteHandle } from '@chronicle/core/adapter'
import { CompiledQuery, type DatabaseConnection, type DialectAdapter, type Kysely } from 'kysely'

/**
 * One use of Kysely API marked internal: a Kysely instance's adapter, to tell which
 * database `createAuditTable(db)` talks to. test/kysely.test.ts fails loudly if Kysely
 * changes it.
 */
export function adapterOf<DB>(db: Kysely<DB>): DialectAdapter {
  return db.getExecutor().adapter
}

type Prepare = (this: SqliteHandle, sql: string) => unknown

/**
 * The better-sqlite3 handle a connection of Kysely's `SqliteDialect` runs on, or
 * `undefined`. Kysely keeps it in a private field; what this relies on is that its
 * connection calls the handle's `prepare(sql)` for every statement (test/kysely.test.ts
 * fails loudly if that changes). A probe with a text no one else can send runs while
 * better-sqlite3's `prepare` notes its receiver for that text alone; every other caller,
 * meanwhile, gets the original behaviour.
 */
export async function sqliteHandleOf(
  connection: DatabaseConnection,
): Promise<SqliteHandle | undefined> {
  let prototype: { prepare: Prepare } | undefined
  try {
    const Database = createRequire(import.meta.url)('better-sqlite3') as {
      prototype: { prepare: Prepare }
    }
    prototype = Database.prototype
  } catch {
    return undefined
  }
  const original = prototype.prepare
  if (typeof original !== 'function') return undefined
  const probe = `SELECT 1 AS "__chronicle_probe_${randomUUID().replaceAll('-', '')}"`
  let found: SqliteHandle | undefined
  prototype.prepare = function (this: SqliteHandle, sql: string) {
    if (sql === probe) found = this
    return original.call(this, sql)
  }
  try {
    await connection.executeQuery(CompiledQuery.raw(probe))
  } catch {
    return undefined
  } finally {
    prototype.prepare = original
  }
  return found
}
