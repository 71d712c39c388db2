import type { AuditEngine } from '../capture/audit-engine.js'
import { changedColumns } from '../diff/diff.js'
import { decodeRow, type EncodedRow, encodeRow, TYPES_KEY } from '../entry/codec.js'
import { ChronicleError } from '../errors/chronicle-error.js'
import { findEntry } from '../query/find-entry.js'
import { stateAfter, stateBefore } from '../query/version-diff.js'
import { deleteRow, insertRow, type Row, readRowsByKeys, updateRow } from '../store/rows.js'

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

export interface RestoreChange {
  readonly field: string
  readonly from: unknown
  readonly to: unknown
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
    if (!['INSERT', 'UPDATE', 'DELETE'].includes(entry.action) || entry.tableName === null) {
      throw new ChronicleError(
        'UNSUPPORTED',
        `audit entry ${auditId} is an event (${entry.action}), not a row change`,
        {
          auditId,
        },
      )
    }
    const table = entry.tableName
    const meta = await engine.tableMeta(connection, table, true)
    const target = to === 'before' ? stateBefore(entry) : stateAfter(entry)
    const anySnapshot = (entry.newValues ?? entry.oldValues) as EncodedRow
    const key: Row = decodeRow(anySnapshot) ?? {}
    const keyValues = meta.primaryKey.map((c) => key[c])

    const [current] = await readRowsByKeys(
      connection,
      engine.dialect,
      table,
      meta.primaryKey,
      [keyValues],
      true,
    )
    const snapshotColumns = target ? Object.keys(target).filter((c) => c !== TYPES_KEY) : []
    const dropped = snapshotColumns.filter((c) => !meta.columns.has(c))
    if (dropped.length > 0 && !options.allowDrift) {
      throw new ChronicleError(
        'SCHEMA_DRIFT',
        `table "${table}" no longer has column(s) ${dropped.join(', ')} held by audit entry ${auditId}: pass allowDrift to restore without them`,
        { table, entityId: entry.entityId ?? undefined, auditId },
      )
    }
    const skipped = snapshotColumns.filter((c) => meta.redact.has(c))
    const omit = new Set([...dropped, ...skipped])
    const wanted = target ? (decodeRow(target) as Row) : null
    if (wanted) for (const column of omit) delete wanted[column]

    let changes: RestoreChange[]
    if (wanted === null) {
      changes = current
        ? Object.entries(current).map(([field, from]) => ({ field, from, to: null }))
        : []
    } else if (!current) {
      changes = Object.entries(wanted).map(([field, value]) => ({ field, from: null, to: value }))
    } else {
      const fields = changedColumns(
        encodeRow(pick(current, Object.keys(wanted))),
        encodeRow(wanted),
      )
      changes = fields.map((field) => ({ field, from: current[field], to: wanted[field] }))
    }
    const result = {
      tableName: table,
      entityId: entry.entityId ?? '',
      changes,
      droppedColumns: dropped,
      skippedColumns: skipped,
    }
    if (options.dryRun || changes.length === 0) return { ...result, applied: false }

    const keyRow = Object.fromEntries(meta.primaryKey.map((c, i) => [c, keyValues[i]]))
    const statement =
      wanted === null
        ? deleteRow(engine.dialect, meta, keyRow)
        : current
          ? updateRow(
              engine.dialect,
              meta,
              keyRow,
              Object.fromEntries(changes.map((c) => [c.field, c.to])),
            )
          : insertRow(engine.dialect, meta, wanted)
    await connection.query(statement.sql, statement.params)
    const [after] = await readRowsByKeys(connection, engine.dialect, table, meta.primaryKey, [
      keyValues,
    ])
    await engine.record(
      connection,
      {
        table,
        operation: wanted === null ? 'delete' : 'update',
        before: current ? [current] : [],
        after: after ? [after] : [],
      },
      transactionId,
      { metadata: { restoredFrom: auditId } },
    )
    return { ...result, applied: true }
  })
}

function pick(row: Row, columns: string[]): Row {
  return Object.fromEntries(columns.map((c) => [c, row[c]]))
}
