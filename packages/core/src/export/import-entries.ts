import type { AuditEngine } from '../capture/audit-engine.js'
import { ChronicleError } from '../errors/chronicle-error.js'
import type { SqlConnection } from '../store/connection.js'
import type { SqlDialect } from '../store/dialect.js'
import { type StoredEntry, writeEntries } from '../store/entry-store.js'
import { SqlBuilder } from '../store/sql-builder.js'
import { entryFromJsonLine } from './export-entries.js'

/** What an import did. */
export interface ImportResult {
  /** Entries written. */
  readonly imported: number
  /** Entries already present with the same id and hash (a file imported twice). */
  readonly skipped: number
}

const BATCH = 1000

/** Lines from a stream of text chunks (a file, stdin), without loading it whole. */
async function* lines(
  source: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
): AsyncGenerator<string> {
  const decoder = new TextDecoder()
  let rest = ''
  try {
    for await (const chunk of source) {
      rest += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true })
      const parts = rest.split('\n')
      rest = parts.pop() ?? ''
      yield* parts
    }
  } catch (error) {
    throw new ChronicleError('STREAM_ERROR', `the import source failed: ${String(error)}`, {
      cause: error,
    })
  }
  rest += decoder.decode()
  if (rest !== '') yield rest
}

const clash = (id: number) =>
  new ChronicleError(
    'CONFLICT',
    `audit entry ${id} already exists with other content: nothing was imported`,
    { auditId: id },
  )

/**
 * The entries of a batch not stored yet. One already stored (or repeated in the batch) with
 * the same hash is dropped; with another hash it is a CONFLICT.
 */
async function newEntries(
  connection: SqlConnection,
  dialect: SqlDialect,
  table: string,
  batch: readonly StoredEntry[],
): Promise<StoredEntry[]> {
  const byId = new Map<number, StoredEntry>()
  for (const entry of batch) {
    const seen = byId.get(entry.id)
    if (seen && seen.hash !== entry.hash) throw clash(entry.id)
    byId.set(entry.id, entry)
  }
  const q = dialect.quote
  const { sql, params } = new SqlBuilder(dialect)
    .raw(`SELECT ${q('id')}, ${q('hash')} FROM ${q(table)} WHERE ${q('id')} IN `)
    .list([...byId.keys()])
    .build()
  const { rows } = await connection.query<{ id: unknown; hash: unknown }>(sql, params)
  for (const row of rows) {
    const id = Number(row.id)
    if ((row.hash ?? null) !== (byId.get(id)?.hash ?? null)) throw clash(id)
    byId.delete(id)
  }
  return [...byId.values()]
}

/**
 * Imports JSONL written by `exportJsonl`, keeping ids and hashes, so the imported trail
 * verifies (and seals) exactly like the original. One transaction: a failure imports nothing.
 */
export function importJsonl(
  engine: AuditEngine,
  source: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
): Promise<ImportResult> {
  const { dialect, database } = engine
  const table = engine.options.auditTable
  return database.transaction(async (connection) => {
    let batch: StoredEntry[] = []
    let imported = 0
    let skipped = 0
    const flush = async () => {
      if (batch.length === 0) return
      const entries = await newEntries(connection, dialect, table, batch)
      skipped += batch.length - entries.length
      batch = []
      await writeEntries(connection, dialect, table, entries)
      imported += entries.length
    }
    for await (const line of lines(source)) {
      if (line.trim() === '') continue
      batch.push(entryFromJsonLine(line))
      if (batch.length >= BATCH) await flush()
    }
    await flush()
    const sync = dialect.syncIdentity(table)
    if (sync) await connection.query(sync.sql, sync.params)
    return { imported, skipped }
  })
}
