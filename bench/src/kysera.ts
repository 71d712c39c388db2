import { auditPlugin } from '@kysera/audit'
import { createORM, createRepositoryFactory, zodAdapter } from '@kysera/repository'
import { type Kysely, sql } from 'kysely'
import { z } from 'zod'
import type { BenchDB, Item } from './schema.ts'
import type { DatabaseKind } from './targets.ts'

/** The table @kysera/audit audits. */
export const KYSERA_TABLE = 'items_kysera'
/** Its log: its default name, `audit_logs`, is Chronicle's too. */
const KYSERA_LOG = 'kysera_log'

const item = z.object({
  id: z.number().int(),
  name: z.string(),
  score: z.number().int(),
  note: z.string().nullable(),
})

/**
 * The peer, as its README sets it up: Kysely → `createORM(db, [auditPlugin()])` → a repository
 * whose create/update/delete (by primary key) write one log row each. It audits only
 * through the repository: a Kysely `updateTable(...).where(...)` on the same table is not seen.
 */
export type KyseraRepository = Awaited<ReturnType<typeof kyseraRepository>>

/** The plugin is shared: the README creates it once and builds an ORM per transaction with it. */
const audit = auditPlugin({ tables: [KYSERA_TABLE], auditTable: KYSERA_LOG })

export async function kyseraRepository(db: Kysely<BenchDB>) {
  const orm = await createORM(db, [audit])
  return orm.createRepository((executor) =>
    createRepositoryFactory(executor).create<typeof KYSERA_TABLE, Item>({
      tableName: KYSERA_TABLE,
      mapRow: (row) => row,
      schemas: { create: zodAdapter(item), update: zodAdapter(item.partial()) },
    }),
  )
}

/**
 * Its audit table, created up front. The plugin creates it on first use with Kysely's
 * `integer … autoIncrement`, which PostgreSQL rejects; this is the same table with a serial key.
 */
export async function createKyseraAuditTable(
  db: Kysely<BenchDB>,
  kind: DatabaseKind,
): Promise<void> {
  const id = {
    sqlite: 'INTEGER PRIMARY KEY AUTOINCREMENT',
    postgres: 'SERIAL PRIMARY KEY',
    mariadb: 'INT AUTO_INCREMENT PRIMARY KEY',
  }[kind]
  await sql
    .raw(
      `CREATE TABLE ${KYSERA_LOG} (id ${id}, table_name TEXT NOT NULL, entity_id TEXT NOT NULL, operation TEXT NOT NULL,
        old_values TEXT, new_values TEXT, changed_by TEXT, changed_at TEXT NOT NULL, metadata TEXT)`,
    )
    .execute(db)
}
