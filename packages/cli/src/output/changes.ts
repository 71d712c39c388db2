import type { AuditEntry } from '@chronicle/core'
import { formatValue } from './format.js'

/** `field: old -> new` for each changed column of an entry (INSERT: the values, DELETE: the old ones). */
export function changeLines(entry: AuditEntry): string[] {
  const oldValues = (entry.oldValues ?? {}) as Record<string, unknown>
  const newValues = (entry.newValues ?? {}) as Record<string, unknown>
  if (entry.action === 'UPDATE') {
    return entry.changedFields.map(
      (field) => `${field}: ${formatValue(oldValues[field])} -> ${formatValue(newValues[field])}`,
    )
  }
  const values = entry.action === 'DELETE' ? oldValues : newValues
  return Object.entries(values).map(([field, value]) => `${field}: ${formatValue(value)}`)
}

/** What a change list (restore, compare, diff) shows: `field: from -> to`. */
export function fieldChangeLines(
  changes: readonly { readonly field: string; readonly from: unknown; readonly to: unknown }[],
): string[] {
  return changes.map(
    (change) => `${change.field}: ${formatValue(change.from)} -> ${formatValue(change.to)}`,
  )
}

/** The changed fields between two row versions, as `{ field, from, to }`. */
export function versionChanges(
  from: Record<string, unknown> | null,
  to: Record<string, unknown> | null,
  fields: readonly string[],
) {
  return fields.map((field) => ({ field, from: from?.[field] ?? null, to: to?.[field] ?? null }))
}
