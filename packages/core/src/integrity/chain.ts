import { hash } from 'node:crypto'
import type { SqlConnection } from '../store/connection.js'
import type { SqlDialect } from '../store/dialect.js'

/** The chain value before the first entry ever sealed. */
export const GENESIS = '0'.repeat(64)

/** Links one entry to everything sealed before it: an edit, removal or swap breaks every later link. */
export function chainHash(previous: string, entryId: number, entryHash: string): string {
  return hash('sha256', `${previous}\n${entryId}\n${entryHash}`, 'hex')
}

export interface ChainRow {
  readonly entryId: number
  readonly entryHash: string
  readonly chainHash: string
  readonly pruned: boolean
}

export const chainTable = (auditTable: string) => `${auditTable}_chain`
export const anchorTable = (auditTable: string) => `${auditTable}_anchors`

export function readChainRow(row: Record<string, unknown>): ChainRow {
  return {
    entryId: Number(row.entry_id),
    entryHash: String(row.entry_hash),
    chainHash: String(row.chain_hash),
    pruned: row.pruned === true || Number(row.pruned) === 1,
  }
}

/** Where the chain starts: the latest retention anchor, or genesis. */
export async function chainStart(
  connection: SqlConnection,
  dialect: SqlDialect,
  auditTable: string,
): Promise<{ readonly throughId: number; readonly chainHash: string }> {
  const q = dialect.quote
  const { rows } = await connection.query<Record<string, unknown>>(
    `SELECT ${q('through_entry_id')}, ${q('chain_hash')} FROM ${q(anchorTable(auditTable))} ORDER BY ${q('id')} DESC LIMIT 1`,
    [],
  )
  const [anchor] = rows
  return anchor
    ? { throughId: Number(anchor.through_entry_id), chainHash: String(anchor.chain_hash) }
    : { throughId: 0, chainHash: GENESIS }
}
