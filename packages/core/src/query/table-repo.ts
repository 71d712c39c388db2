import type { AuditEngine } from '../capture/audit-engine.js'
import type { AuditEntry } from '../entry/audit-entry.js'
import { encodeEntityId, encodeRow, REDACTED } from '../entry/codec.js'
import { exactReads, plainValue } from '../entry/exact-values.js'
import { ChronicleError } from '../errors/chronicle-error.js'
import { guardApiCall } from '../errors/driver-error.js'
import { readStoredEntry, selectEntries, toAuditEntry } from '../store/entry-store.js'
import { readRowsByKeys } from '../store/rows.js'
import { findEntry } from './find-entry.js'
import { parseLimit, parseTime } from './logs.js'
import { stateAfter, type VersionDiff, versionDiff } from './version-diff.js'

/** A row's key: the value, an array in primary-key order, or an object of key columns. */
export type EntityKey =
  | string
  | number
  | bigint
  | readonly unknown[]
  | Readonly<Record<string, unknown>>

/**
 * The key `TableRepo` methods accept for a row type: when the row has an `id` column, a scalar
 * key must have its type (so `history('not-a-number')` fails to compile for a numeric id);
 * arrays (composite keys) and objects of key columns are accepted for every table. A table
 * configured with another `primaryKey` and also an `id` column takes its key as `{ column: value }`.
 */
export type KeyOf<Row> = [Row] extends [never]
  ? EntityKey
  : [Row] extends [{ readonly id: infer Id extends string | number | bigint }]
    ? Id | readonly unknown[] | Readonly<Record<string, unknown>>
    : EntityKey

/** A point in time: a Date, or "just after audit entry N". */
export type PointInTime = Date | { readonly auditId: number }

/**
 * The audit trail of one table, typed with its row.
 *
 * ### Examples
 * ```ts
 * const users = audit.table('users')
 * const timeline = await users.history(1)           // AuditEntry<User>[], newest first
 * const before = await users.stateAt(1, new Date('2026-01-01'))  // User | null
 * ```
 */
export class TableRepo<Row extends object> {
  readonly #engine: AuditEngine
  readonly name: string

  constructor(engine: AuditEngine, name: string) {
    engine.requireTable(name)
    this.#engine = engine
    this.name = name
  }

  /** The primary-key values of a key given in any accepted form. */
  keyValues(key: EntityKey): unknown[] {
    const pk = this.#engine.requireTable(this.name).primaryKey
    const fail = (message: string) =>
      new ChronicleError('INVALID_FILTER', `table "${this.name}": ${message}`, { table: this.name })
    if (Array.isArray(key)) {
      if (key.length !== pk.length)
        throw fail(`the key has ${pk.length} column(s): ${pk.join(', ')}`)
      return [...key]
    }
    if (key !== null && typeof key === 'object') {
      const record = key as Record<string, unknown>
      const missing = pk.filter((c) => record[c] === undefined || record[c] === null)
      if (missing.length > 0) throw fail(`the key lacks ${missing.join(', ')}`)
      return pk.map((c) => record[c])
    }
    if (pk.length !== 1) throw fail(`composite key (${pk.join(', ')}): pass an array or an object`)
    if (key === undefined || key === null || key === '') throw fail('a key is required')
    return [key]
  }

  /** The entity id (primary key as text) of a key. */
  entityId(key: EntityKey): string {
    return encodeEntityId(this.keyValues(key))
  }

  #entitySelect(id: string) {
    const { dialect, options } = this.#engine
    const q = dialect.quote
    return selectEntries(dialect, options.auditTable)
      .raw(` WHERE ${q('table_name')} = `)
      .value(this.name)
      .raw(` AND ${q('entity_id')} = `)
      .value(id)
  }

  /** Entries for one row, newest first unless `order: 'asc'`. */
  history(
    key: KeyOf<Row>,
    options: { readonly limit?: number; readonly order?: 'asc' | 'desc' } = {},
  ): Promise<AuditEntry<Row>[]> {
    return guardApiCall(this.#engine, async () => {
      const limit = parseLimit(options.limit, 20, 10_000)
      const order = options.order ?? 'desc'
      if (order !== 'asc' && order !== 'desc') {
        throw new ChronicleError(
          'INVALID_FILTER',
          `order must be 'asc' or 'desc', got ${JSON.stringify(order)}`,
        )
      }
      const { dialect, database } = this.#engine
      const { sql, params } = this.#entitySelect(this.entityId(key))
        .raw(` ORDER BY ${dialect.quote('id')} ${order.toUpperCase()} LIMIT ${limit}`)
        .build()
      const { rows } = await database.query(sql, params)
      return rows.map((row) =>
        toAuditEntry<Row>(readStoredEntry(dialect, row), database.zonelessTimestamps),
      )
    })
  }

  /** How the adapter's driver reads zone-less date-times; entries decode them alike. */
  get #zoneless() {
    return this.#engine.database.zonelessTimestamps
  }

  async #latestAt(id: string, at: PointInTime) {
    const { dialect, database } = this.#engine
    const q = dialect.quote
    const sql = this.#entitySelect(id)
    if (at instanceof Date || typeof at === 'string') {
      sql.raw(` AND ${q('created_at')} <= `).value(dialect.writeTimestamp(parseTime(at, 'at')))
    } else if (at && typeof at === 'object' && Number.isInteger(at.auditId)) {
      sql.raw(` AND ${q('id')} <= `).value(at.auditId)
    } else {
      throw new ChronicleError('INVALID_FILTER', 'at must be a Date or { auditId: number }', {
        table: this.name,
      })
    }
    const { sql: text, params } = sql.raw(` ORDER BY ${q('id')} DESC LIMIT 1`).build()
    const { rows } = await database.query(text, params)
    return rows[0] ? readStoredEntry(dialect, rows[0]) : undefined
  }

  /**
   * The row as it was at `at` (`null`: it did not exist then). One indexed read: every
   * INSERT/UPDATE entry holds the whole row.
   */
  stateAt(key: KeyOf<Row>, at: PointInTime): Promise<Row | null> {
    return guardApiCall(this.#engine, async () => {
      const entry = await this.#latestAt(this.entityId(key), at)
      return entry ? versionDiff<Row>(null, stateAfter(entry), this.#zoneless).to : null
    })
  }

  /** Entry `auditId`, which must be about this row. */
  async #entryFor(id: string, auditId: number) {
    const entry = await findEntry(this.#engine, auditId)
    if (entry.tableName !== this.name || entry.entityId !== id) {
      throw new ChronicleError(
        'INVALID_FILTER',
        `audit entry ${auditId} is not about ${this.name} ${id}`,
        {
          table: this.name,
          entityId: id,
          auditId,
        },
      )
    }
    return entry
  }

  /** What changed from the version after entry `from` to the one after `to` (default: now). */
  diff(
    key: KeyOf<Row>,
    options: { readonly from: number; readonly to?: number },
  ): Promise<VersionDiff<Row>> {
    return guardApiCall(this.#engine, async () => {
      const id = this.entityId(key)
      const from = await this.#entryFor(id, options.from)
      if (options.to !== undefined) {
        return versionDiff<Row>(
          stateAfter(from),
          stateAfter(await this.#entryFor(id, options.to)),
          this.#zoneless,
        )
      }
      const current = await this.#live(key)
      // The live row is redacted like the snapshots, so a diff never reveals a redacted value:
      // the configured columns, and any the snapshot holds redacted (recorded under another config).
      const redact = new Set(this.#engine.requireTable(this.name).redact)
      const before = stateAfter(from)
      for (const [column, value] of Object.entries(before ?? {})) {
        if (value === REDACTED) redact.add(column)
      }
      return versionDiff<Row>(before, current ? encodeRow(current, redact) : null, this.#zoneless)
    })
  }

  /** The row as it is in the table now, or `null`. */
  current(key: KeyOf<Row>): Promise<Row | null> {
    return guardApiCall(this.#engine, async () => {
      const row = await this.#live(key)
      if (!row) return null
      return Object.fromEntries(
        Object.entries(row).map(([column, value]) => [column, plainValue(value)]),
      ) as Row
    })
  }

  /** The live row as snapshots read it (exact texts included), or `undefined`. */
  async #live(key: EntityKey): Promise<Record<string, unknown> | undefined> {
    const { dialect, database } = this.#engine
    const meta = await this.#engine.tableMeta(database, this.name)
    const [row] = await readRowsByKeys(
      database,
      dialect,
      this.name,
      meta.primaryKey,
      [this.keyValues(key)],
      false,
      exactReads(meta, dialect),
    )
    return row
  }
}
