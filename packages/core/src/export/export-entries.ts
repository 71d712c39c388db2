import type { AuditEngine } from '../capture/audit-engine.js'
import type { AuditEntry } from '../entry/audit-entry.js'
import { ChronicleError } from '../errors/chronicle-error.js'
import { appendFilter, type EntryFilter } from '../query/logs.js'
import { readStoredEntry, type StoredEntry, selectEntries } from '../store/entry-store.js'

const PAGE = 1000

/**
 * Streams stored entries oldest first, one page (keyset on id) in memory at a time, so an
 * export of any size runs in constant memory.
 */
export async function* storedEntries(
  engine: AuditEngine,
  filter: EntryFilter = {},
  page = PAGE,
): AsyncGenerator<StoredEntry> {
  const { dialect, database } = engine
  const q = dialect.quote
  let after = 0
  for (;;) {
    const sql = selectEntries(dialect, engine.options.auditTable)
      .raw(` WHERE ${q('id')} > `)
      .value(after)
    appendFilter(sql, filter)
    const { sql: text, params } = sql.raw(` ORDER BY ${q('id')} LIMIT ${page}`).build()
    const { rows } = await database.query(text, params)
    for (const row of rows) {
      const entry = readStoredEntry(dialect, row)
      after = entry.id
      yield entry
    }
    if (rows.length < page) return
  }
}

/** One line of JSONL: the entry exactly as stored (snapshots encoded, `$types` kept), so it re-imports losslessly. */
export function entryToJsonLine(entry: StoredEntry): string {
  return JSON.stringify({ ...entry, createdAt: entry.createdAt.toISOString() })
}

/** Parses one JSONL line written by {@link entryToJsonLine}. */
export function entryFromJsonLine(line: string): StoredEntry {
  let value: Record<string, unknown>
  try {
    value = JSON.parse(line) as Record<string, unknown>
  } catch (error) {
    throw new ChronicleError('INVALID_FILTER', `not a JSONL audit entry: ${line.slice(0, 80)}`, {
      cause: error,
    })
  }
  const createdAt = new Date(String(value.createdAt))
  if (
    !Number.isSafeInteger(value.id) ||
    typeof value.action !== 'string' ||
    Number.isNaN(createdAt.getTime())
  ) {
    throw new ChronicleError('INVALID_FILTER', `not a JSONL audit entry: ${line.slice(0, 80)}`)
  }
  return { ...(value as unknown as StoredEntry), createdAt }
}

export type { AuditEntry }
