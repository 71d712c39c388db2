import type { AuditEngine } from '../capture/audit-engine.js'
import { changedColumns } from '../diff/diff.js'
import { encodeRow } from '../entry/codec.js'
import { ChronicleError } from '../errors/chronicle-error.js'
import { stateAfter, stateBefore } from '../query/version-diff.js'
import { readStoredEntry, selectEntries } from '../store/entry-store.js'
import { applyRowState, planRowState } from './row-state.js'

export interface RevertResult {
  readonly transactionId: string
  /** The row changes undone, newest first, as `{ tableName, entityId, action }` of the entry undone. */
  readonly reverted: {
    readonly auditId: number
    readonly tableName: string
    readonly entityId: string
    readonly action: string
  }[]
  /** False for a dry run: nothing was written. */
  readonly applied: boolean
}

export interface RevertOptions {
  /** Overwrite rows changed since the transaction instead of failing with CONFLICT. */
  readonly force?: boolean
  /**
   * Report what would be reverted (and fail with CONFLICT as the revert would), write
   * nothing: the revert runs in a transaction that is rolled back.
   */
  readonly dryRun?: boolean
}

/** Thrown out of a dry run's transaction to roll it back; carries the result out. */
class DryRunRollback {
  readonly result: RevertResult
  constructor(result: RevertResult) {
    this.result = result
  }
}

/**
 * Undoes every row change of one transaction, newest first, in one new transaction audited
 * with `metadata.revertOf`. A row changed since (compared on the columns the entry holds,
 * ignoring `ignore`d and redacted ones) is a CONFLICT unless `force`; nothing is written then.
 * A dry run does all of it, each undo seeing the ones before, then rolls back: the preview
 * is exactly what the revert would do.
 */
export async function revertTransaction(
  engine: AuditEngine,
  transactionId: string,
  options: RevertOptions = {},
): Promise<RevertResult> {
  try {
    return await runRevert(engine, transactionId, options)
  } catch (error) {
    if (error instanceof DryRunRollback) return error.result
    throw error
  }
}

async function runRevert(
  engine: AuditEngine,
  transactionId: string,
  options: RevertOptions,
): Promise<RevertResult> {
  if (typeof transactionId !== 'string' || transactionId === '') {
    throw new ChronicleError('INVALID_FILTER', 'transactionId must be a non-empty string')
  }
  const { dialect } = engine
  const q = dialect.quote
  return engine.database.transaction(async (connection, revertId) => {
    const { sql, params } = selectEntries(dialect, engine.options.auditTable)
      .raw(` WHERE ${q('transaction_id')} = `)
      .value(transactionId)
      .raw(` ORDER BY ${q('id')} DESC`)
      .build()
    const entries = (await connection.query(sql, params)).rows
      .map((row) => readStoredEntry(dialect, row))
      .filter((entry) => ['INSERT', 'UPDATE', 'DELETE'].includes(entry.action))
    if (entries.length === 0) {
      throw new ChronicleError(
        'NOT_FOUND',
        `no row changes were recorded in transaction ${transactionId}`,
      )
    }
    const reverted: RevertResult['reverted'][number][] = []
    for (const entry of entries) {
      const plan = await planRowState(engine, connection, entry, stateBefore(entry))
      if (!options.force) {
        const expected = stateAfter(entry)
        const skip = new Set([...plan.meta.ignore, ...plan.meta.redact])
        const drifted =
          expected === null
            ? plan.current !== undefined
            : plan.current === undefined ||
              changedColumns(encodeRow(plan.current), expected).some(
                (c) => c in expected && !skip.has(c),
              )
        if (drifted) {
          throw new ChronicleError(
            'CONFLICT',
            `${plan.meta.name} ${entry.entityId} changed after transaction ${transactionId}: revert with force to overwrite it`,
            { table: plan.meta.name, entityId: entry.entityId ?? undefined, auditId: entry.id },
          )
        }
      }
      await applyRowState(engine, connection, plan, revertId, { revertOf: transactionId })
      reverted.push({
        auditId: entry.id,
        tableName: plan.meta.name,
        entityId: entry.entityId ?? '',
        action: entry.action,
      })
    }
    if (options.dryRun) throw new DryRunRollback({ transactionId, reverted, applied: false })
    return { transactionId, reverted, applied: true }
  })
}
