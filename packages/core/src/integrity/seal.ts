import { setTimeout as sleep } from 'node:timers/promises'
import type { AuditEngine } from '../capture/audit-engine.js'
import { entryHash } from '../entry/hash.js'
import { ChronicleError } from '../errors/chronicle-error.js'
import type { SqlConnection } from '../store/connection.js'
import type { SqlDialect } from '../store/dialect.js'
import { insertMany, readStoredEntry, selectEntries } from '../store/entry-store.js'
import { SqlBuilder } from '../store/sql-builder.js'
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
  /**
   * The chain hash through that entry (null when nothing is sealed): keep it outside the
   * database and pass it to `verify({ head })` later, so a rewritten chain is detected.
   */
  readonly head: string | null
}

/** A batch of links to append, read from the chain head and the entries after it. */
interface Batch {
  /** The sealed entry id the batch starts after. */
  readonly after: number
  /** `[entry id, entry hash, chain hash]` per entry. */
  readonly links: unknown[][]
  /** The stored `hash` of each linked entry, to check they still exist when linked. */
  readonly stored: unknown[]
  readonly last: number | null
  readonly full: boolean
}

/** How often a single-writer sealer tries a batch again before it gives up. */
const SEAL_ATTEMPTS = 20

/** Where sealing goes on from, and the last sealed entry (null: none in the chain table). */
async function chainHead(connection: SqlConnection, dialect: SqlDialect, auditTable: string) {
  const q = dialect.quote
  const { rows } = await connection.query<Record<string, unknown>>(
    `SELECT * FROM ${q(chainTable(auditTable))} ORDER BY ${q('entry_id')} DESC LIMIT 1`,
    [],
  )
  const head = rows[0] ? readChainRow(rows[0]) : undefined
  const start = head
    ? { throughId: head.entryId, chainHash: head.chainHash }
    : await chainStart(connection, dialect, auditTable)
  return { ...start, sealedThrough: head?.entryId ?? null }
}

async function readBatch(
  connection: SqlConnection,
  dialect: SqlDialect,
  auditTable: string,
  sealDelayMs: number,
  batchSize: number,
): Promise<Batch> {
  const q = dialect.quote
  const start = await chainHead(connection, dialect, auditTable)
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
  const stored: unknown[] = []
  for (const row of rows) {
    const entry = readStoredEntry(dialect, row)
    const gap = entry.id !== expected
    if (gap && now - entry.createdAt.getTime() < sealDelayMs) break
    const hash = entryHash(entry)
    previous = chainHash(previous, entry.id, hash)
    links.push([entry.id, hash, previous])
    stored.push(entry.hash)
    expected = entry.id + 1
  }
  return {
    after: start.throughId,
    links,
    stored,
    last: links.length > 0 ? Number(links.at(-1)?.[0]) : start.sealedThrough,
    full: rows.length === batchSize && links.length === rows.length,
  }
}

const LINK_COLUMNS = ['entry_id', 'entry_hash', 'chain_hash']

/**
 * Appends links, one statement per chunk, each only if its last entry is still there as read
 * (`INSERT … SELECT … WHERE EXISTS`): reads outside a transaction may have seen entries of a
 * transaction still open on the same connection, which a rollback then removes. On a single
 * writer those are the newest entries, so checking a chunk's last entry covers the chunk.
 */
async function appendGuarded(
  database: SqlConnection,
  dialect: SqlDialect,
  auditTable: string,
  batch: Batch,
): Promise<void> {
  const q = dialect.quote
  const perStatement = Math.floor((dialect.maxParams - 2) / LINK_COLUMNS.length)
  for (let start = 0; start < batch.links.length; start += perStatement) {
    const chunk = batch.links.slice(start, start + perStatement)
    const sql = new SqlBuilder(dialect).raw(
      `INSERT INTO ${q(chainTable(auditTable))} (${LINK_COLUMNS.map(q).join(', ')}) SELECT * FROM (VALUES `,
    )
    chunk.forEach((link, i) => {
      if (i > 0) sql.raw(', ')
      sql.list(link)
    })
    const last = start + chunk.length - 1
    sql
      .raw(`) WHERE EXISTS (SELECT 1 FROM ${q(auditTable)} WHERE ${q('id')} = `)
      .value(batch.links[last]?.[0])
      .raw(` AND ${q('hash')} IS `)
      .value(batch.stored[last])
      .raw(')')
    const { sql: text, params } = sql.build()
    await database.query(text, params)
  }
}

/**
 * One batch under an advisory lock, in one short transaction: sealers on other connections
 * wait for it, writers never do.
 */
function sealLocked(engine: AuditEngine, sealDelayMs: number, batchSize: number): Promise<Batch> {
  const { dialect, database } = engine
  const auditTable = engine.options.auditTable
  return database.transaction(async (connection) => {
    const locks = dialect.lockStatements(`chronicle:seal:${auditTable}`)
    if (locks) await connection.query(locks.lock.sql, locks.lock.params)
    try {
      const batch = await readBatch(connection, dialect, auditTable, sealDelayMs, batchSize)
      await insertMany(connection, dialect, chainTable(auditTable), LINK_COLUMNS, batch.links)
      return batch
    } finally {
      if (locks?.unlock) await connection.query(locks.unlock.sql, locks.unlock.params)
    }
  })
}

/**
 * One batch on a single-writer database (SQLite), holding its one write lock only for the
 * statement that appends the links: reads run outside any transaction, so a writer on
 * another connection never waits on a sealer between two statements, nor is failed by a
 * transaction of the sealer's that read first. The chain's primary key refuses a link
 * another sealer appended meanwhile, and the guard refuses entries rolled back since they
 * were read; either way the batch is read again from the head. When writers hold the lock
 * past the busy timeout, it waits a little and tries again.
 */
async function sealSingleWriter(
  engine: AuditEngine,
  sealDelayMs: number,
  batchSize: number,
): Promise<Batch> {
  const { dialect, database } = engine
  const auditTable = engine.options.auditTable
  for (let attempt = 0; ; attempt++) {
    const batch = await readBatch(database, dialect, auditTable, sealDelayMs, batchSize)
    let failure: unknown
    try {
      await appendGuarded(database, dialect, auditTable, batch)
    } catch (error) {
      failure = error
    }
    const head = await chainHead(database, dialect, auditTable)
    if (failure === undefined && (batch.links.length === 0 || head.sealedThrough === batch.last)) {
      return batch
    }
    // Another sealer went ahead: go on from where it stopped.
    if (head.throughId !== batch.after) continue
    if (failure !== undefined && !dialect.isBusy?.(failure)) throw failure
    if (attempt >= SEAL_ATTEMPTS) {
      throw new ChronicleError(
        'CONFLICT',
        `sealing gave up after ${SEAL_ATTEMPTS} attempts: writers kept the database locked past its busy timeout, or the entries read kept being rolled back`,
        { cause: failure },
      )
    }
    if (failure !== undefined) await sleep(Math.min(1000, 10 * 2 ** attempt))
  }
}

/**
 * Chains committed entries in id order into the `<audit>_chain` table, a batch at a time.
 * Writers never wait for it beyond one short statement: entries carry only their own hash
 * when written, and sealing runs later (on a schedule, or before `verify`). Any number of
 * sealers may run, on any connections.
 */
export async function sealEntries(
  engine: AuditEngine,
  options: SealOptions = {},
): Promise<SealResult> {
  const sealDelayMs = options.sealDelayMs ?? 60_000
  const batchSize = options.batchSize ?? 5000
  // No advisory lock: the database has one write lock (SQLite), which a sealer must not hold.
  const singleWriter = engine.dialect.lockStatements('') === null
  let sealed = 0
  let through: number | null = null
  for (;;) {
    const batch = singleWriter
      ? await sealSingleWriter(engine, sealDelayMs, batchSize)
      : await sealLocked(engine, sealDelayMs, batchSize)
    sealed += batch.links.length
    through = batch.last
    if (!batch.full) {
      const head = await chainHead(engine.database, engine.dialect, engine.options.auditTable)
      // throughId 0: neither a link nor a retention anchor, so no chain yet.
      return { sealed, through, head: head.throughId === 0 ? null : head.chainHash }
    }
  }
}
