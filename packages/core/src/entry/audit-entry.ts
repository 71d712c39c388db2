import type { EncodedRow } from './codec.js'

/** The actions Chronicle writes for row changes; events use their own dotted names. */
export type RowAction = 'INSERT' | 'UPDATE' | 'DELETE'

/**
 * One entry of the audit trail, decoded: snapshots hold the values the ORM gave (dates,
 * bigints, binary and JSON round-trip). Entries are frozen.
 */
export interface AuditEntry<Row = Record<string, unknown>> {
  readonly id: number
  readonly createdAt: Date
  readonly transactionId: string
  readonly action: RowAction | (string & {})
  readonly tableName: string
  readonly entityId: string
  /** DELETE: the whole row; UPDATE: the prior values of the changed columns only. */
  readonly oldValues: Partial<Row> | null
  /** INSERT/UPDATE: the whole row after the change. */
  readonly newValues: Row | null
  readonly changedFields: (keyof Row & string)[]
  readonly actorId: string | null
  readonly actorType: string | null
  readonly ipAddress: string | null
  readonly userAgent: string | null
  readonly metadata: Record<string, unknown> | null
  readonly hash: string | null
}

/** An entry as written: snapshots still encoded, no id yet. */
export interface NewEntry {
  readonly createdAt: Date
  readonly transactionId: string
  readonly action: string
  readonly tableName: string | null
  readonly entityId: string | null
  readonly oldValues: EncodedRow | null
  readonly newValues: EncodedRow | null
  readonly changedFields: readonly string[] | null
  readonly actorId: string | null
  readonly actorType: string | null
  readonly ipAddress: string | null
  readonly userAgent: string | null
  readonly metadata: Record<string, unknown> | null
}
