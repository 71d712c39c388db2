import { changedColumns, type PatchOperation, patchBetween } from '../diff/diff.js'
import {
  decodeRow,
  type EncodedRow,
  mergeEncoded,
  type ZonelessTimestamps,
} from '../entry/codec.js'
import type { StoredEntry } from '../store/entry-store.js'

/** Two versions of a row and what changed between them. */
export interface VersionDiff<Row = Record<string, unknown>> {
  /** The earlier version (`null`: the row did not exist). */
  readonly from: Row | null
  readonly to: Row | null
  readonly changedFields: (keyof Row & string)[]
  /** RFC 6902 operations turning `from` into `to` (values as stored: dates as ISO text). */
  readonly patch: PatchOperation[]
}

/** The row as it was right after `entry` (`null` after a DELETE). */
export function stateAfter(entry: StoredEntry): EncodedRow | null {
  return entry.action === 'DELETE' ? null : entry.newValues
}

/** The row as it was right before `entry`: `{ ...new_values, ...old_values }` for UPDATE. */
export function stateBefore(entry: StoredEntry): EncodedRow | null {
  if (entry.action === 'INSERT') return null
  if (entry.action === 'DELETE') return entry.oldValues
  return mergeEncoded(entry.newValues ?? {}, entry.oldValues ?? {})
}

export function versionDiff<Row>(
  from: EncodedRow | null,
  to: EncodedRow | null,
  zoneless?: ZonelessTimestamps,
): VersionDiff<Row> {
  return Object.freeze({
    from: decodeRow<Row>(from, zoneless),
    to: decodeRow<Row>(to, zoneless),
    changedFields: changedColumns(from ?? {}, to ?? {}) as (keyof Row & string)[],
    patch: patchBetween(from, to),
  })
}
