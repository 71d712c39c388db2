import { type Kysely, sql } from 'kysely'
import type { Variant } from './measure.ts'
import type { DatabaseKind } from './targets.ts'

export interface BenchDB {
  items_plain: Item
  items_audited: Item
  items_trigger: Item
  items_floor: Item
  items_kysera: Item
}

export interface Item {
  id: number
  name: string
  score: number
  note: string | null
}

/**
 * Each variant's table. Every adapter's section writes these same tables, in id ranges of its
 * own, so the trigger and the floor are the very ones Kysely's section measures.
 */
export const VARIANT_TABLE = {
  unaudited: 'items_plain',
  chronicle: 'items_audited',
  trigger: 'items_trigger',
  floor: 'items_floor',
  kysera: 'items_kysera',
} as const satisfies Record<Variant, keyof BenchDB>

const ID: Record<DatabaseKind, string> = {
  sqlite: 'INTEGER PRIMARY KEY',
  postgres: 'SERIAL PRIMARY KEY',
  mariadb: 'INT AUTO_INCREMENT PRIMARY KEY',
}

/**
 * Five identical tables: unaudited, audited by Chronicle, audited by a hand-written trigger,
 * audited by the hand-built floor, audited by the peer @kysera/audit.
 */
export async function createItemTables(db: Kysely<BenchDB>, kind: DatabaseKind): Promise<void> {
  for (const table of Object.values(VARIANT_TABLE)) {
    await sql
      .raw(
        `CREATE TABLE ${table} (id ${ID[kind]}, name VARCHAR(100) NOT NULL, score INT NOT NULL, note VARCHAR(200))`,
      )
      .execute(db)
  }
  for (const statement of triggerDdl(kind)) await sql.raw(statement).execute(db)
  // The same indexes Chronicle's audit table has: a trigger table nobody can query fast is no baseline.
  const indexes = ['table_name, entity_id, id', 'created_at', 'action', 'entity_id']
  for (const [i, columns] of indexes.entries()) {
    await sql.raw(`CREATE INDEX trigger_audit_${i} ON trigger_audit (${columns})`).execute(db)
  }
}

/**
 * The near-physical limit of in-database capture: an AFTER … FOR EACH ROW trigger writing
 * old and new rows as JSON to an audit table, as one would write it by hand.
 */
function triggerDdl(kind: DatabaseKind): string[] {
  if (kind === 'postgres') {
    return [
      `CREATE TABLE trigger_audit (id BIGSERIAL PRIMARY KEY, created_at TIMESTAMPTZ NOT NULL DEFAULT now(), action TEXT NOT NULL,
        table_name TEXT NOT NULL, entity_id TEXT NOT NULL, old_values JSONB, new_values JSONB)`,
      `CREATE FUNCTION trigger_audit_row() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'DELETE' THEN
           INSERT INTO trigger_audit (action, table_name, entity_id, old_values) VALUES (TG_OP, TG_TABLE_NAME, OLD.id::text, to_jsonb(OLD));
           RETURN OLD;
         END IF;
         INSERT INTO trigger_audit (action, table_name, entity_id, old_values, new_values)
           VALUES (TG_OP, TG_TABLE_NAME, NEW.id::text, CASE WHEN TG_OP = 'UPDATE' THEN to_jsonb(OLD) END, to_jsonb(NEW));
         RETURN NEW;
       END $$`,
      `CREATE TRIGGER items_trigger_audit AFTER INSERT OR UPDATE OR DELETE ON items_trigger FOR EACH ROW EXECUTE FUNCTION trigger_audit_row()`,
    ]
  }
  const json = kind === 'sqlite' ? 'json_object' : 'JSON_OBJECT'
  const row = (r: string) =>
    `${json}('id', ${r}.id, 'name', ${r}.name, 'score', ${r}.score, 'note', ${r}.note)`
  const now = kind === 'sqlite' ? `strftime('%Y-%m-%dT%H:%M:%fZ', 'now')` : 'UTC_TIMESTAMP(3)'
  const table =
    kind === 'sqlite'
      ? `CREATE TABLE trigger_audit (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, action TEXT NOT NULL, table_name TEXT NOT NULL, entity_id TEXT NOT NULL, old_values TEXT, new_values TEXT)`
      : `CREATE TABLE trigger_audit (id BIGINT AUTO_INCREMENT PRIMARY KEY, created_at DATETIME(3) NOT NULL, action VARCHAR(10) NOT NULL, table_name VARCHAR(64) NOT NULL, entity_id VARCHAR(64) NOT NULL, old_values JSON, new_values JSON)`
  const body = (action: string, oldValues: string, newValues: string, id: string) =>
    `INSERT INTO trigger_audit (created_at, action, table_name, entity_id, old_values, new_values) VALUES (${now}, '${action}', 'items_trigger', ${id}, ${oldValues}, ${newValues});`
  const trigger = (event: string, statement: string) =>
    kind === 'sqlite'
      ? `CREATE TRIGGER items_trigger_${event.toLowerCase()} AFTER ${event} ON items_trigger FOR EACH ROW BEGIN ${statement} END`
      : `CREATE TRIGGER items_trigger_${event.toLowerCase()} AFTER ${event} ON items_trigger FOR EACH ROW ${statement.replace(/;$/, '')}`
  return [
    table,
    trigger('INSERT', body('INSERT', 'NULL', row('NEW'), 'NEW.id')),
    trigger('UPDATE', body('UPDATE', row('OLD'), row('NEW'), 'NEW.id')),
    trigger('DELETE', body('DELETE', row('OLD'), 'NULL', 'OLD.id')),
  ]
}
