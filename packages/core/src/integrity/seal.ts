import type { AuditEngine } from '../capture/audit-engine.js'
import { entryHash } from '../entry/hash.js'
import { insertMany, readStoredEntry, selectEntries } from '../store/entry-store.js'
import { chainHash, chainStart, chainTable, readChainRow } from './chain.js'

export interface SealOptions {
  /**
   * An id gap younger than this may be a transaction still running (ids are taken at INSERT,
   * entries become visible at COMMIT), so sealing stops there; an older gap is a rollback.
   * Transactions that write audit entries must commit within it.
   * @default 60_000
   */
  readonly sealDelayMs?: number
  /** @default 5000 */
  readonly batchSize?: number
}

export interface SealResult {
  /** Entries chained by this call. */
  readonly sealed: number
  /** The last sealed entry id, or null when nothing is sealed yet. */
  readonly through: number | null
}

/**
 * Chains committed entries in id order into the `<audit>_chain` table, a batch per short
 * transaction. Writers never wait for it: entries carry only their own hash when written,
 * and sealing runs later (on a schedule, or before `verify`). One sealer at a time.
 */
export async function sealEntries(
  engine: AuditEngine,
  options: SealOptions = {},
): Promise<SealResult> {
  const sealDelayMs = options.sealDelayMs ?? 60_000
  const batchSize = options.batchSize ?? 5000
  const { dialect, database } = engine
  const auditTable = engine.options.auditTable
  const q = dialect.quote
  const lockKey = `chronicle:seal:${auditTable}`
  let sealed = 0
  let through: number | null = null
  for (;;) {
    const batch = await database.transaction(async (connection) => {
      const locks = dialect.lockStatements(lockKey)
      if (locks) await connection.query(locks.lock.sql, locks.lock.params)
      try {
        const { rows: heads } = await connection.query<Record<string, unknown>>(
          `SELECT * FROM ${q(chainTable(auditTable))} ORDER BY ${q('entry_id')} DESC LIMIT 1`,
          [],
        )
        const head = heads[0] ? readChainRow(heads[0]) : undefined
        const start = head
          ? { throughId: head.entryId, chainHash: head.chainHash }
          : await chainStart(connection, dialect, auditTable)
        const { sql, params } = selectEntries(dialect, auditTable)
          .raw(` WHERE ${q('id')} > `)
          .value(start.throughId)
          .raw(` ORDER BY ${q('id')} LIMIT ${batchSize}`)
          .build()
        const { rows } = await connection.query(sql, params)
        const now = Date.now()
        let previous = start.chainHash
        let expected = start.throughId + 1
        const links: unknown[][] = []
        for (const row of rows) {
          const entry = readStoredEntry(dialect, row)
          const gap = entry.id !== expected
          if (gap && now - entry.createdAt.getTime() < sealDelayMs) break
          const hash = entryHash(entry)
          previous = chainHash(previous, entry.id, hash)
          links.push([entry.id, hash, previous])
          expected = entry.id + 1
        }
        await insertMany(
          connection,
          dialect,
          chainTable(auditTable),
          ['entry_id', 'entry_hash', 'chain_hash'],
          links,
        )
        return {
          count: links.length,
          last: links.length > 0 ? Number(links.at(-1)?.[0]) : (head?.entryId ?? null),
          full: rows.length === batchSize && links.length === rows.length,
        }
      } finally {
        if (locks?.unlock) await connection.query(locks.unlock.sql, locks.unlock.params)
      }
    })
    sealed += batch.count
    through = batch.last
    if (!batch.full) return { sealed, through }
  }
}
