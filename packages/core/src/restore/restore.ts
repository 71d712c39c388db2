import type { AuditEngine } from '../capture/audit-engine.js'
import { ChronicleError } from '../errors/chronicle-error.js'
import { findEntry } from '../query/find-entry.js'
import { stateAfter, stateBefore } from '../query/version-diff.js'
import { applyRowState, planRowState, type RestoreChange } from './row-state.js'

export type { RestoreChange }

export interface RestoreOptions {
  /**
   * `'before'` undoes the entry (a DELETE entry recreates the row, an INSERT entry deletes
   * it); `'after'` puts the row back as the entry left it.
   * @default 'before'
   */
  readonly to?: 'before' | 'after'
  /** Compute the changes, write nothing. */
  readonly dryRun?: boolean
  /** Drop snapshot columns the table no longer has (listed in `droppedColumns`) instead of failing. */
  readonly allowDrift?: boolean
}

export interface RestoreResult {
  readonly tableName: string
  readonly entityId: string
  readonly changes: RestoreChange[]
  /** True when the row was written (false for a dry run or when nothing differed). */
  readonly applied: boolean
  /** Snapshot columns missing from today's table, dropped because `allowDrift` was set. */
  readonly droppedColumns: string[]
  /** Redacted columns: their true values were never stored, so they are left as they are. */
  readonly skippedColumns: string[]
}

/** Restores one row from an entry, in one transaction, auditing the restore itself. */
export async function restoreEntry(
  engine: AuditEngine,
  auditId: number,
  options: RestoreOptions = {},
): Promise<RestoreResult> {
  const to = options.to ?? 'before'
  if (to !== 'before' && to !== 'after') {
    throw new ChronicleError(
      'INVALID_FILTER',
      `to must be 'before' or 'after', got ${JSON.stringify(to)}`,
    )
  }
  return engine.database.transaction(async (connection, transactionId) => {
    const entry = await findEntry(engine, auditId, connection)
    const target = to === 'before' ? stateBefore(entry) : stateAfter(entry)
    const plan = await planRowState(engine, connection, entry, target, options.allowDrift)
    const applied = !options.dryRun && plan.changes.length > 0
    if (applied)
      await applyRowState(engine, connection, plan, transactionId, { restoredFrom: auditId })
    return {
      tableName: plan.meta.name,
      entityId: entry.entityId ?? '',
      changes: plan.changes,
      applied,
      droppedColumns: plan.droppedColumns,
      skippedColumns: plan.skippedColumns,
    }
  })
}
