import type { AuditEngine } from '../capture/audit-engine.js'
import { entryHash } from '../entry/hash.js'
import { ChronicleError } from '../errors/chronicle-error.js'
import { parseTime } from '../query/logs.js'
import { readStoredEntry, type StoredEntry, selectEntries } from '../store/entry-store.js'
import { type ChainRow, chainHash, chainStart, chainTable, readChainRow } from './chain.js'

/** Why an entry fails verification. */
export type BrokenReason =
  /** Its content no longer matches its hash, or its hash no longer matches the sealed one. */
  | 'edited'
  /** It was sealed and is gone (retention removes entries without this). */
  | 'deleted'
  /** It holds the content sealed under another id. */
  | 'reordered'
  /** It appeared among sealed ids after they were sealed. */
  | 'inserted'
  /** The chain table itself was altered at this link. */
  | 'chain'

export interface VerifyResult {
  readonly ok: boolean
  /** Entries and links examined. */
  readonly checked: number
  /** Entries not sealed yet: their content is checked, their presence cannot be. */
  readonly unsealed: number
  readonly broken: { readonly id: number; readonly reason: BrokenReason }[]
  /** The chain hash of the last sealed entry: keep it elsewhere to detect a rewritten chain. */
  readonly head: string | null
  /**
   * With the `head` option: whether the chain still passes through that digest (`ok` is false
   * when it does not: the chain was rewritten, or cut back before it). `null` without it.
   */
  readonly headFound: boolean | null
}

export interface VerifyOptions {
  /** Start at the first entry written at or after this time. */
  readonly since?: Date | string
  /**
   * A chain head kept outside the database (what `seal` returned): verification also fails
   * unless the chain still passes through it. Recomputing every hash after an edit keeps the
   * chain self-consistent, but cannot reproduce a digest the attacker never controlled.
   */
  readonly head?: string
}

const PAGE = 2000

/**
 * Walks the chain in id order and names each broken entry. Read-only; it does not seal.
 * With `since`, starts at the first entry written at or after it.
 */
export async function verifyChain(
  engine: AuditEngine,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const expected = options.head
  if (
    expected !== undefined &&
    (typeof expected !== 'string' || !/^[0-9a-f]{64}$/.test(expected))
  ) {
    throw new ChronicleError(
      'INVALID_FILTER',
      `head must be a 64-character hex digest (what seal returned), got ${JSON.stringify(expected)}`,
    )
  }
  const { dialect, database } = engine
  const auditTable = engine.options.auditTable
  const q = dialect.quote
  const start = await chainStart(database, dialect, auditTable)
  let previous = start.chainHash
  let cursor = start.throughId
  if (options.since !== undefined) {
    const since = parseTime(options.since, 'since')
    const { rows } = await database.query<Record<string, unknown>>(
      `SELECT MIN(${q('id')}) AS id FROM ${q(auditTable)} WHERE ${q('created_at')} >= ${dialect.placeholder(1)}`,
      [dialect.writeTimestamp(since)],
    )
    const first = Number(rows[0]?.id ?? Number.NaN)
    if (Number.isFinite(first) && first - 1 > cursor) {
      const link = await database.query<Record<string, unknown>>(
        `SELECT * FROM ${q(chainTable(auditTable))} WHERE ${q('entry_id')} < ${dialect.placeholder(1)} ORDER BY ${q('entry_id')} DESC LIMIT 1`,
        [first],
      )
      if (link.rows[0]) {
        const row = readChainRow(link.rows[0])
        previous = row.chainHash
        cursor = row.entryId
      }
    }
  }
  // The walk starts after an anchor or a link; the head may be that very point.
  let headFound = expected === undefined ? null : previous === expected
  const broken: { id: number; reason: BrokenReason }[] = []
  let checked = 0
  let head: string | null = null
  for (;;) {
    const { rows: linkRows } = await database.query<Record<string, unknown>>(
      `SELECT * FROM ${q(chainTable(auditTable))} WHERE ${q('entry_id')} > ${dialect.placeholder(1)} ORDER BY ${q('entry_id')} LIMIT ${PAGE}`,
      [cursor],
    )
    const links = linkRows.map(readChainRow)
    const last = links.at(-1)
    if (!last) break
    const entries = await readRange(engine, cursor, last.entryId)
    const sealedHashes = new Map(links.map((link) => [link.entryHash, link.entryId]))
    for (const link of links) {
      checked += 1
      if (chainHash(previous, link.entryId, link.entryHash) !== link.chainHash) {
        broken.push({ id: link.entryId, reason: 'chain' })
      }
      previous = link.chainHash
      if (link.chainHash === expected) headFound = true
      const entry = entries.get(link.entryId)
      entries.delete(link.entryId)
      if (!entry) {
        if (!link.pruned) broken.push({ id: link.entryId, reason: 'deleted' })
        continue
      }
      const reason = contentProblem(entry, link, sealedHashes)
      if (reason) broken.push({ id: entry.id, reason })
    }
    for (const entry of entries.values()) {
      checked += 1
      broken.push({ id: entry.id, reason: 'inserted' })
    }
    head = last.chainHash
    cursor = last.entryId
  }
  let unsealed = 0
  for (;;) {
    const entries = [...(await readRange(engine, cursor, undefined, PAGE)).values()]
    for (const entry of entries) {
      checked += 1
      unsealed += 1
      if (entryHash(entry) !== entry.hash) broken.push({ id: entry.id, reason: 'edited' })
    }
    const last = entries.at(-1)
    if (!last || entries.length < PAGE) break
    cursor = last.id
  }
  if (headFound === false && options.since !== undefined) {
    // `since` skipped the links before it: the head may be among them.
    const { rows } = await database.query(
      `SELECT 1 AS found FROM ${q(chainTable(auditTable))} WHERE ${q('chain_hash')} = ${dialect.placeholder(1)}`,
      [expected],
    )
    headFound = rows.length > 0
  }
  broken.sort((a, b) => a.id - b.id)
  return {
    ok: broken.length === 0 && headFound !== false,
    checked,
    unsealed,
    broken,
    head,
    headFound,
  }
}

function contentProblem(
  entry: StoredEntry,
  link: ChainRow,
  sealed: Map<string, number>,
): BrokenReason | null {
  const actual = entryHash(entry)
  if (actual === link.entryHash && entry.hash === link.entryHash) return null
  const elsewhere = sealed.get(actual)
  return elsewhere !== undefined && elsewhere !== entry.id ? 'reordered' : 'edited'
}

async function readRange(engine: AuditEngine, after: number, through?: number, limit?: number) {
  const { dialect, database } = engine
  const q = dialect.quote
  const sql = selectEntries(dialect, engine.options.auditTable)
    .raw(` WHERE ${q('id')} > `)
    .value(after)
  if (through !== undefined) sql.raw(` AND ${q('id')} <= `).value(through)
  sql.raw(` ORDER BY ${q('id')}`)
  if (limit !== undefined) sql.raw(` LIMIT ${limit}`)
  const { sql: text, params } = sql.build()
  const { rows } = await database.query(text, params)
  return new Map(rows.map((row) => [Number(row.id), readStoredEntry(dialect, row)]))
}
