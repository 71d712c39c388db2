import type { JsonValue } from './codec.js'

/** A JSON column as the driver returns it: parsed (pg's JSONB, mysql2's JSON) or as text. */
type JsonColumn = JsonValue | string | null

/**
 * A row of the audit table as your own query reads it, for apps that query it with their own
 * Kysely (`interface DB { audit_logs: AuditLogRow }`) or driver. Types are what the drivers
 * return; {@link AuditEntry}, from the query API, is the decoded form.
 *
 * ### Examples
 * ```ts
 * const db = new Kysely<{ audit_logs: AuditLogRow }>({ dialect })
 * await db.selectFrom('audit_logs').select(['id', 'action', 'entity_id']).where('table_name', '=', 'users').execute()
 * ```
 */
export interface AuditLogRow {
  /** BIGINT: a number (better-sqlite3, mysql2) or decimal text (pg's int8). */
  readonly id: number | string
  /** A `Date` from pg and mysql2; ISO-8601 text on SQLite. */
  readonly created_at: Date | string
  readonly transaction_id: string
  /** `INSERT`, `UPDATE`, `DELETE` or an event name. */
  readonly action: string
  /** The changed table, or an event's target type. */
  readonly table_name: string | null
  /** The primary key as text (a JSON array for composite keys), or an event's target id. */
  readonly entity_id: string | null
  readonly old_values: JsonColumn
  readonly new_values: JsonColumn
  readonly changed_fields: JsonColumn
  readonly actor_id: string | null
  readonly actor_type: string | null
  readonly ip_address: string | null
  readonly user_agent: string | null
  readonly metadata: JsonColumn
  readonly hash: string | null
}
