import type { AuditEngine } from '../capture/audit-engine.js'
import { type StoredEntry, writeEntries } from '../store/entry-store.js'
import { entryFromJsonLine } from './export-entries.js'

/** Lines from a stream of text chunks (a file, stdin), without loading it whole. */
async function* lines(
  source: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
): AsyncGenerator<string> {
  const decoder = new TextDecoder()
  let rest = ''
  for await (const chunk of source) {
    rest += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true })
    const parts = rest.split('\n')
    rest = parts.pop() ?? ''
    yield* parts
  }
  rest += decoder.decode()
  if (rest !== '') yield rest
}

/**
 * Imports JSONL written by `exportJsonl`, keeping ids and hashes, so the imported trail
 * verifies (and seals) exactly like the original. Batches share one transaction each.
 */
export async function importJsonl(
  engine: AuditEngine,
  source: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
): Promise<number> {
  const { dialect, database } = engine
  const table = engine.options.auditTable
  let batch: StoredEntry[] = []
  let imported = 0
  const flush = async () => {
    if (batch.length === 0) return
    const entries = batch
    batch = []
    await database.transaction((connection) => writeEntries(connection, dialect, table, entries))
    imported += entries.length
  }
  for await (const line of lines(source)) {
    if (line.trim() === '') continue
    batch.push(entryFromJsonLine(line))
    if (batch.length >= 1000) await flush()
  }
  await flush()
  const sync = dialect.syncIdentity(table)
  if (sync) await database.query(sync.sql, sync.params)
  return imported
}
