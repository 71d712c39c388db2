import { isPlainObject, quoteQualified, type SqlDialect, tableInError } from '../dialect.js'
import { auditIndexes } from './indexes.js'

/** SQLite (better-sqlite3): JSON as TEXT, timestamps as ISO-8601 TEXT, which sorts as time. */
export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  maxParams: 32_766,
  supportsReturning: true,
  lockSuffix: '',
  quote: (identifier) => quoteQualified(identifier, (part) => `"${part}"`),
  currentSchemaSql: `SELECT 'main' AS schema`,
  placeholder: () => '?',
  auditTableDdl(table) {
    const t = sqliteDialect.quote(table)
    return [
      `CREATE TABLE IF NOT EXISTS ${t} (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "created_at" TEXT NOT NULL,
  "transaction_id" TEXT NOT NULL,
  "action" TEXT NOT NULL,
  "table_name" TEXT,
  "entity_id" TEXT,
  "old_values" TEXT,
  "new_values" TEXT,
  "changed_fields" TEXT,
  "actor_id" TEXT,
  "actor_type" TEXT,
  "ip_address" TEXT,
  "user_agent" TEXT,
  "metadata" TEXT,
  "hash" TEXT
)`,
      ...auditIndexes(table, sqliteDialect.quote).map((i) => `CREATE INDEX IF NOT EXISTS ${i}`),
      `CREATE TABLE IF NOT EXISTS ${sqliteDialect.quote(`${table}_chain`)} (
  "entry_id" INTEGER PRIMARY KEY,
  "entry_hash" TEXT NOT NULL,
  "chain_hash" TEXT NOT NULL,
  "pruned" INTEGER NOT NULL DEFAULT 0
)`,
      `CREATE TABLE IF NOT EXISTS ${sqliteDialect.quote(`${table}_anchors`)} (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT,
  "through_entry_id" INTEGER NOT NULL,
  "chain_hash" TEXT NOT NULL,
  "pruned_count" INTEGER NOT NULL,
  "created_at" TEXT NOT NULL
)`,
    ]
  },
  columnsQuery: (table) => ({
    // table_xinfo also lists generated columns (hidden 2: virtual, 3: stored), table_info omits them.
    sql: `SELECT name, lower(type) AS type, (pk = 1 AND lower(type) = 'integer' AND (SELECT count(*) FROM pragma_table_info(?) WHERE pk > 0) = 1) AS generated, (hidden IN (2, 3)) AS computed FROM pragma_table_xinfo(?) WHERE hidden IN (0, 2, 3) ORDER BY cid`,
    params: [table, table],
  }),
  uniqueKeysQuery: (table) => ({
    // An INTEGER PRIMARY KEY is the rowid and has no index: read it from table_info.
    sql: `SELECT index_name, column_name FROM (
  SELECT il.name AS index_name, ii.seqno AS seq, ii.name AS column_name FROM pragma_index_list(?) AS il, pragma_index_info(il.name) AS ii WHERE il."unique" = 1 AND il.partial = 0
  UNION ALL
  SELECT '(primary key)', pk, name FROM pragma_table_info(?) WHERE pk > 0
) ORDER BY index_name, seq`,
    params: [table, table],
  }),
  selectTimestamp: (column) => column,
  writeTimestamp: (value) => value.toISOString(),
  readTimestamp: (value) => new Date(String(value)),
  // better-sqlite3 gives every stored value exactly (integers beyond 2^53 as bigint when asked).
  exactText: () => undefined,
  encodeParam(value) {
    if (typeof value === 'boolean') return value ? 1 : 0
    if (value instanceof Date) return value.toISOString()
    if (Array.isArray(value) || isPlainObject(value)) return JSON.stringify(value)
    return value
  },
  dayOfWeek: (column) => `CAST(strftime('%w', ${column}) AS INTEGER)`,
  hourOfDay: (column) => `CAST(strftime('%H', ${column}) AS INTEGER)`,
  // better-sqlite3 is built with the dbstat table: real page sizes of the tables and their indexes.
  storageBytes: (tables) => ({
    sql: `SELECT COALESCE(SUM(pgsize), 0) AS bytes FROM dbstat WHERE name IN (SELECT name FROM sqlite_master WHERE tbl_name IN (${tables.map(() => '?').join(', ')}))`,
    params: [...tables],
  }),
  syncIdentity: () => null,
  // One write lock for the whole database: sealing is serialised by it (see seal.ts).
  lockStatements: () => null,
  beginStatement: 'BEGIN IMMEDIATE',
  // better-sqlite3's SqliteError carries the code; ORMs may wrap it in a `cause`.
  isBusy(error) {
    let e = error as { code?: unknown; cause?: unknown } | null | undefined
    for (let depth = 0; e && depth < 5; depth++, e = e.cause as typeof e) {
      if (typeof e.code === 'string' && e.code.startsWith('SQLITE_BUSY')) return true
    }
    return false
  },
  // TEXT and index entries have no practical length limit (1 GB per value).
  textLimits: {},
  // BINARY collation makes a half-open range an exact, index-friendly prefix test.
  missingTable: (error) =>
    tableInError(error, (e) => e.code === 'SQLITE_ERROR', /no such table: (?:\w+\.)?(\w+)/),
  prefixMatch(sql, column, prefix) {
    sql
      .raw(`(${column} >= `)
      .value(prefix)
      .raw(` AND ${column} < `)
      .value(`${prefix}\u{10FFFF}`)
      .raw(')')
  },
}
