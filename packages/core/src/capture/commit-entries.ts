import { ChronicleError, isChronicleError } from '../errors/chronicle-error.js'
import type { SqlConnection } from '../store/connection.js'
import { insertEntryRowsSteps } from '../store/entry-store.js'
import { runAsync, runSync, type Steps, type SyncSqlConnection } from '../store/steps.js'
import type { AuditEngine } from './audit-engine.js'
import type { TransactionGuard } from './transaction-guard.js'

/**
 * What an adapter runs just before the user's COMMIT, on the transaction's connection: it
 * refuses a doomed transaction, then writes the entries `entries: 'at-commit'` kept back,
 * in write order (ids follow it), in chunked multi-row INSERTs. When it throws (always a
 * `ChronicleError`, `AUDIT_FAILED` for a failed insert), the adapter must ROLLBACK instead,
 * so a change commits exactly when its entries do.
 */
export function commitEntries(
  engine: AuditEngine,
  connection: SqlConnection,
  guard: TransactionGuard,
): Promise<void> {
  return runAsync(commitSteps(engine, guard), connection)
}

/** {@link commitEntries} over a driver that answers synchronously (better-sqlite3). */
export function commitEntriesSync(
  engine: AuditEngine,
  connection: SyncSqlConnection,
  guard: TransactionGuard,
): void {
  runSync(commitSteps(engine, guard), connection)
}

function* commitSteps(engine: AuditEngine, guard: TransactionGuard): Steps<void> {
  guard.assertCommittable()
  const rows = guard.takeDeferred()
  if (rows.length === 0) return
  try {
    yield* insertEntryRowsSteps(engine.dialect, engine.options.auditTable, rows)
  } catch (error) {
    if (isChronicleError(error)) throw error
    throw new ChronicleError(
      'AUDIT_FAILED',
      `writing this transaction's audit entries at COMMIT failed, so it was rolled back instead of committed: ${(error as Error)?.message ?? String(error)}`,
      { cause: error },
    )
  }
}
