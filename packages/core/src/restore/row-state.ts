import type { AuditEngine } from '../capture/audit-engine.js'
import { changedColumns } from '../diff/diff.js'
import {
  decodeRow,
  type EncodedRow,
  encodeRow,
  pickEncoded,
  REDACTED,
  TYPES_KEY,
  writableRow,
} from '../entry/codec.js'
import { exactReads } from '../entry/exact-values.js'
import { ChronicleError } from '../errors/chronicle-error.js'
import type { SqlConnection } from '../store/connection.js'
import type { StoredEntry } from '../store/entry-store.js'
import { deleteRow, insertRow, type Row, readRowsByKeys, updateRow } from '../store/rows.js'
import type { TableMeta } from '../store/table-meta.js'

export interface RestoreChange {
  readonly field: string
  readonly from: unknown
  readonly to: unknown
}

/** What putting one row into a target state takes, computed before anything is written. */
export interface RowStatePlan {
  readonly entry: StoredEntry
  readonly meta: TableMeta
  readonly keyValues: unknown[]
  /** The row now (locked for the rest of the transaction), or undefined when absent. */
  readonly current: Row | undefined
  /** The row wanted, or null for "must not exist". */
  readonly wanted: Row | null
  /** What writes `wanted` exactly: {@link writableRow} of its snapshot. */
  readonly values: Row | null
  readonly changes: RestoreChange[]
  readonly droppedColumns: string[]
  readonly skippedColumns: string[]
}

/** The entry's row must be a row change on an audited table. */
export function rowTable(entry: StoredEntry): string {
  if (!['INSERT', 'UPDATE', 'DELETE'].includes(entry.action) || entry.tableName === null) {
    throw new ChronicleError(
      'UNSUPPORTED',
      `audit entry ${entry.id} is an event (${entry.action}), not a row change`,
      {
        auditId: entry.id,
      },
    )
  }
  return entry.tableName
}

/** Restore and revert change exactly the row an entry names, or nothing. */
function notOneRow(entry: StoredEntry, table: string, why: string): ChronicleError {
  return new ChronicleError(
    'CONFLICT',
    `restoring ${table} ${entry.entityId} from audit entry ${entry.id} would not change exactly that one row (${why}): nothing was changed`,
    { table, entityId: entry.entityId ?? undefined, auditId: entry.id },
  )
}

/**
 * Plans bringing the entry's row to `target` (encoded; null = absent). Snapshot columns the
 * table lost fail with SCHEMA_DRIFT unless `allowDrift`; redacted columns are never written,
 * nor generated ones (the database computes them). Rows are compared and written in their
 * stored form, so what the database gave as text (microseconds, JSON) goes back unchanged.
 */
export async function planRowState(
  engine: AuditEngine,
  connection: SqlConnection,
  entry: StoredEntry,
  target: EncodedRow | null,
  allowDrift = false,
): Promise<RowStatePlan> {
  const table = rowTable(entry)
  const meta = await engine.tableMeta(connection, table, { fresh: true })
  const exact = exactReads(meta, engine.dialect)
  const key = writableRow((entry.newValues ?? entry.oldValues) as EncodedRow)
  const keyValues = meta.primaryKey.map((c) => key[c])
  const rows = await readRowsByKeys(
    connection,
    engine.dialect,
    table,
    meta.primaryKey,
    [keyValues],
    true,
    exact,
  )
  if (rows.length > 1) throw notOneRow(entry, table, `${rows.length} rows have its key`)
  const [current] = rows
  const snapshotColumns = target ? Object.keys(target).filter((c) => c !== TYPES_KEY) : []
  const droppedColumns = snapshotColumns.filter((c) => !meta.columns.has(c))
  if (droppedColumns.length > 0 && !allowDrift) {
    throw new ChronicleError(
      'SCHEMA_DRIFT',
      `table "${table}" no longer has column(s) ${droppedColumns.join(', ')} held by audit entry ${entry.id}: pass allowDrift to restore without them`,
      { table, entityId: entry.entityId ?? undefined, auditId: entry.id },
    )
  }
  // A snapshot value that is the redaction marker was never stored: never write it back, even
  // when today's config (or a CLI without one) no longer redacts that column.
  const skippedColumns = snapshotColumns.filter(
    (c) => meta.redact.has(c) || target?.[c] === REDACTED,
  )
  const written = snapshotColumns.filter(
    (c) => meta.columns.has(c) && !skippedColumns.includes(c) && !meta.columns.get(c)?.computed,
  )
  const wantedEncoded = target ? pickEncoded(target, written) : null
  const zoneless = engine.database.zonelessTimestamps
  const wanted = decodeRow<Row>(wantedEncoded, zoneless)
  const values = wantedEncoded ? writableRow(wantedEncoded) : null
  const currentEncoded = current ? encodeRow(current) : null
  const now = decodeRow<Row>(currentEncoded, zoneless) ?? {}
  let changes: RestoreChange[]
  if (wanted === null) {
    changes = Object.entries(now).map(([field, from]) => ({ field, from, to: null }))
  } else if (!currentEncoded) {
    changes = Object.entries(wanted).map(([field, to]) => ({ field, from: null, to }))
  } else {
    changes = changedColumns(pickEncoded(currentEncoded, written), wantedEncoded as EncodedRow).map(
      (field) => ({ field, from: now[field], to: wanted[field] }),
    )
  }
  return {
    entry,
    meta,
    keyValues,
    current,
    wanted,
    values,
    changes,
    droppedColumns,
    skippedColumns,
  }
}

/** Writes a planned row state and audits it (with `metadata`) in the caller's transaction. */
export async function applyRowState(
  engine: AuditEngine,
  connection: SqlConnection,
  plan: RowStatePlan,
  transactionId: string,
  metadata: Record<string, unknown>,
): Promise<void> {
  const { meta, keyValues, current, values, changes } = plan
  if (changes.length === 0) return
  const key = Object.fromEntries(meta.primaryKey.map((c, i) => [c, keyValues[i]]))
  const statement =
    values === null
      ? deleteRow(engine.dialect, meta, key)
      : current
        ? updateRow(
            engine.dialect,
            meta,
            key,
            Object.fromEntries(changes.map((c) => [c.field, values[c.field]])),
          )
        : insertRow(engine.dialect, meta, values)
  const { affectedRows } = await connection.query(statement.sql, statement.params)
  const [after] = await readRowsByKeys(
    connection,
    engine.dialect,
    meta.name,
    meta.primaryKey,
    [keyValues],
    false,
    exactReads(meta, engine.dialect),
  )
  // A trigger may skip the row, or the key may match others: throwing rolls the transaction back.
  if (affectedRows !== undefined && affectedRows !== 1n) {
    throw notOneRow(plan.entry, meta.name, `the statement changed ${affectedRows} rows`)
  }
  if ((values === null) !== (after === undefined)) {
    throw notOneRow(plan.entry, meta.name, 'the row is not as written afterwards')
  }
  await engine.record(
    connection,
    {
      table: meta.name,
      operation: values === null ? 'delete' : 'update',
      before: current ? [current] : [],
      after: after ? [after] : [],
    },
    transactionId,
    { metadata },
  )
}
