import type { AuditContext } from '../context/audit-context.js'
import { changedColumns } from '../diff/diff.js'
import type { NewEntry } from '../entry/audit-entry.js'
import { encodeRow, pickEncoded } from '../entry/codec.js'
import { assertExactRow } from '../entry/exact-values.js'
import { type Row, rowEntityId } from '../store/rows.js'
import type { TableMeta } from '../store/table-meta.js'

/**
 * What one write statement did to one table: the affected rows before and after it,
 * matched by primary key. An adapter fills it; core decides which entries it means.
 */
export interface RowChange {
  readonly table: string
  /** `delete`: every row in `before` is gone. Otherwise rows in `after` exist now. */
  readonly operation: 'insert' | 'update' | 'delete'
  readonly before: readonly Row[]
  readonly after: readonly Row[]
}

export interface EntryStamp {
  readonly transactionId: string
  readonly createdAt: Date
  readonly context: AuditContext
}

function base(stamp: EntryStamp, meta: TableMeta, row: Row) {
  return {
    createdAt: stamp.createdAt,
    transactionId: stamp.transactionId,
    tableName: meta.name,
    entityId: rowEntityId(meta, row),
    actorId: stamp.context.actorId ?? null,
    actorType: stamp.context.actorType ?? null,
    ipAddress: stamp.context.ipAddress ?? null,
    userAgent: stamp.context.userAgent ?? null,
    metadata: stamp.context.metadata ? { ...stamp.context.metadata } : null,
  }
}

/**
 * One entry per affected row: INSERT for a row that did not exist before, UPDATE for one
 * whose values changed (unless only ignored columns did), DELETE for one that is gone.
 */
export function buildEntries(meta: TableMeta, change: RowChange, stamp: EntryStamp): NewEntry[] {
  const entries: NewEntry[] = []
  for (const rows of [change.before, change.after])
    for (const row of rows) assertExactRow(meta, row)
  if (change.operation === 'delete') {
    for (const row of change.before) {
      entries.push({
        ...base(stamp, meta, row),
        action: 'DELETE',
        oldValues: encodeRow(row, meta.redact),
        newValues: null,
        changedFields: null,
      })
    }
    return entries
  }
  const before = new Map(change.before.map((row) => [rowEntityId(meta, row), row]))
  for (const row of change.after) {
    const entry = base(stamp, meta, row)
    const previous = before.get(entry.entityId)
    if (previous === undefined) {
      entries.push({
        ...entry,
        action: 'INSERT',
        oldValues: null,
        newValues: encodeRow(row, meta.redact),
        changedFields: null,
      })
      continue
    }
    // Compare unredacted values so a change to a redacted column still counts.
    const oldEncoded = encodeRow(previous)
    const newEncoded = encodeRow(row)
    const changed = changedColumns(oldEncoded, newEncoded)
    if (changed.every((column) => meta.ignore.has(column))) continue
    // Without redaction the stored snapshots are the ones just compared.
    const redacts = meta.redact.size > 0
    entries.push({
      ...entry,
      action: 'UPDATE',
      oldValues: pickEncoded(redacts ? encodeRow(previous, meta.redact) : oldEncoded, changed),
      newValues: redacts ? encodeRow(row, meta.redact) : newEncoded,
      changedFields: changed,
    })
  }
  return entries
}
