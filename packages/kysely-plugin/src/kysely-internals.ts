import type { DialectAdapter, Kysely } from 'kysely'

/**
 * The one use of Kysely API marked internal: a Kysely instance's adapter, to tell which
 * database `createAuditTable(db)` talks to. test/kysely-internals.test.ts fails loudly if
 * Kysely changes it.
 */
export function adapterOf<DB>(db: Kysely<DB>): DialectAdapter {
  return db.getExecutor().adapter
}
