import type { AuditEngine } from '../capture/audit-engine.js'
import { ChronicleError } from '../errors/chronicle-error.js'
import type { SqlConnection } from '../store/connection.js'
import { readStoredEntry, type StoredEntry, selectEntries } from '../store/entry-store.js'

/** One entry by id, or NOT_FOUND. */
export async function findEntry(
  engine: AuditEngine,
  auditId: number,
  connection: SqlConnection = engine.database,
): Promise<StoredEntry> {
  if (!Number.isSafeInteger(auditId) || auditId < 1) {
    throw new ChronicleError(
      'INVALID_FILTER',
      `audit id must be a positive integer, got ${JSON.stringify(auditId)}`,
    )
  }
  const { dialect, options } = engine
  const { sql, params } = selectEntries(dialect, options.auditTable)
    .raw(` WHERE ${dialect.quote('id')} = `)
    .value(auditId)
    .build()
  const { rows } = await connection.query(sql, params)
  if (!rows[0])
    throw new ChronicleError('NOT_FOUND', `audit entry ${auditId} does not exist`, { auditId })
  return readStoredEntry(dialect, rows[0])
}
