import { pipeline } from 'node:stream/promises'
import type { AuditEngine } from '../capture/audit-engine.js'
import type { AuditEntry } from '../entry/audit-entry.js'
import { ChronicleError } from '../errors/chronicle-error.js'
import { guardApiStream } from '../errors/driver-error.js'
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

/**
 * Writes entries as JSON Lines through `pipeline`, which honours backpressure, ends the
 * stream and settles only once it has finished (or failed). The database's failures are
 * ChronicleErrors already, so any other failure is the stream's: STREAM_ERROR.
 */
export async function exportJsonl(
  engine: AuditEngine,
  filter: EntryFilter,
  writable: NodeJS.WritableStream,
): Promise<number> {
  // A bad filter fails before the stream is touched.
  appendFilter(selectEntries(engine.dialect, engine.options.auditTable), filter)
  let count = 0
  async function* lines() {
    for await (const entry of guardApiStream(engine, storedEntries(engine, filter))) {
      count += 1
      yield `${entryToJsonLine(entry)}\n`
    }
  }
  try {
    await pipeline(lines, writable)
  } catch (error) {
    if (error instanceof ChronicleError) throw error
    throw new ChronicleError('STREAM_ERROR', `the export stream failed: ${String(error)}`, {
      cause: error,
    })
  }
  return count
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
