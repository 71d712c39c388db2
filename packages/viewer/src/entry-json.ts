import { type AuditEntry, toJsonValue } from '@chronicle/core'
import type { EntryJson } from './context.js'

/** An entry as the API answers it: core's JSON encoding of every value, plus its label. */
export function entryJson(entry: AuditEntry, label: (action: string) => string): EntryJson {
  return { ...(toJsonValue(entry) as Record<string, never>), label: label(entry.action) }
}
