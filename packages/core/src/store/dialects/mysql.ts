import {
  type ExactText,
  isPlainObject,
  quoteQualified,
  type SqlDialect,
  splitTableName,
  tableInError,
} from '../dialect.js'
import { auditIndexes } from './indexes.js'

/** A TEXT column holds 65,535 bytes. */
const TEXT_LIMIT = { max: 65_535, unit: 'bytes' } as const

const pad = (n: number, width = 2) => String(n).padStart(width, '0')

const asText = ['CAST(', ' AS CHAR)']

/**
 * Types mysql2 parses lossily: DATETIME/TIMESTAMP to a millisecond `Date` (they hold up to
 * microseconds), JSON to a JS value (MariaDB keeps the text as written).
 */
const EXACT: ReadonlyMap<string, ExactText> = new Map(
  Object.entries({
    datetime: { sql: asText, kind: 'timestamp' },
    timestamp: { sql: asText, kind: 'timestamp' },
    json: { sql: asText, kind: 'json' },
  } satisfies Record<string, ExactText>),
)

/**
 * MySQL and MariaDB (mysql2). DATETIME has no zone, so Chronicle writes and reads it as
 * UTC text itself rather than trusting the driver's local-time conversion.
 */
export const mysqlDialect: SqlDialect = {
  name: 'mysql',
  maxParams: 65_535,
  supportsReturning: false,
  partialReturning: {
    versionSql: 'SELECT VERSION() AS version',
    operations(version) {
      // Some proxies report MariaDB behind MySQL's `5.5.5-` prefix: the MariaDB version follows.
      const [, major, minor] = /(\d+)\.(\d+)\.\d+-mariadb/i.exec(version) ?? []
      const mariadb105 = Number(major) > 10 || (Number(major) === 10 && Number(minor) >= 5)
      return mariadb105 ? ['insert', 'delete'] : []
    },
  },
  lockSuffix: ' FOR UPDATE',
  quote: (identifier) => quoteQualified(identifier, (part) => `\`${part}\``),
  currentSchemaSql: 'SELECT DATABASE() AS `schema`',
  placeholder: () => '?',
  auditTableDdl(table) {
    const q = mysqlDialect.quote
    // utf8mb4_bin: entity ids and actions compare exactly, as on the other databases.
    // Keys and context values are TEXT (64 KiB) so long ones are stored; InnoDB indexes a
    // prefix of them (3072-byte key limit), and `=` still compares the whole value.
    return [
      `CREATE TABLE IF NOT EXISTS ${q(table)} (
  \`id\` BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  \`created_at\` DATETIME(3) NOT NULL,
  \`transaction_id\` VARCHAR(64) NOT NULL,
  \`action\` VARCHAR(255) NOT NULL,
  \`table_name\` VARCHAR(255) NULL,
  \`entity_id\` TEXT NULL,
  \`old_values\` JSON NULL,
  \`new_values\` JSON NULL,
  \`changed_fields\` JSON NULL,
  \`actor_id\` TEXT NULL,
  \`actor_type\` TEXT NULL,
  \`ip_address\` TEXT NULL,
  \`user_agent\` TEXT NULL,
  \`metadata\` JSON NULL,
  \`hash\` CHAR(64) NULL,
  ${auditIndexes(table, q, '', { entity_id: 255, actor_id: 255 })
    .map((i) => `INDEX ${i.replace(/ ON `[^`]+` /, ' ')}`)
    .join(',\n  ')}
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
      `CREATE TABLE IF NOT EXISTS ${q(`${table}_chain`)} (
  \`entry_id\` BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  \`entry_hash\` CHAR(64) NOT NULL,
  \`chain_hash\` CHAR(64) NOT NULL,
  \`pruned\` BOOLEAN NOT NULL DEFAULT FALSE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
      `CREATE TABLE IF NOT EXISTS ${q(`${table}_anchors`)} (
  \`id\` BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  \`through_entry_id\` BIGINT UNSIGNED NOT NULL,
  \`chain_hash\` CHAR(64) NOT NULL,
  \`pruned_count\` BIGINT UNSIGNED NOT NULL,
  \`created_at\` DATETIME(3) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
    ]
  },
  columnsQuery: (table) => ({
    // MariaDB's JSON is LONGTEXT checked by json_valid(): named `json` here, as MySQL's is.
    // The checks are read by constants once (a correlated lookup scans information_schema).
    sql: `SELECT c.COLUMN_NAME AS name, IF(j.CHECK_CLAUSE IS NULL, lower(c.DATA_TYPE), 'json') AS type,
  (c.EXTRA LIKE '%auto_increment%') AS generated,
  (c.EXTRA LIKE '%VIRTUAL GENERATED%' OR c.EXTRA LIKE '%STORED GENERATED%') AS computed
FROM information_schema.COLUMNS c
LEFT JOIN (SELECT DISTINCT cc.CHECK_CLAUSE FROM information_schema.TABLE_CONSTRAINTS tc
  JOIN information_schema.CHECK_CONSTRAINTS cc
    ON cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME AND cc.CONSTRAINT_SCHEMA = COALESCE(?, DATABASE())
  WHERE tc.TABLE_SCHEMA = COALESCE(?, DATABASE()) AND tc.TABLE_NAME = ? AND tc.CONSTRAINT_TYPE = 'CHECK') j
  ON j.CHECK_CLAUSE = CONCAT('json_valid(\`', c.COLUMN_NAME, '\`)')
WHERE c.TABLE_SCHEMA = COALESCE(?, DATABASE()) AND c.TABLE_NAME = ?
ORDER BY c.ORDINAL_POSITION`,
    params: [
      splitTableName(table).schema,
      splitTableName(table).schema,
      splitTableName(table).table,
      splitTableName(table).schema,
      splitTableName(table).table,
    ],
  }),
  uniqueKeysQuery: (table) => ({
    sql: `SELECT INDEX_NAME AS index_name, COLUMN_NAME AS column_name
FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND NON_UNIQUE = 0
ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
    params: [splitTableName(table).schema, splitTableName(table).table],
  }),
  selectTimestamp: (column) => `CAST(${column} AS CHAR)`,
  writeTimestamp: (d) =>
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`,
  readTimestamp: (value) =>
    value instanceof Date ? value : new Date(`${String(value).replace(' ', 'T')}Z`),
  exactText: (type) => EXACT.get(type),
  encodeParam(value) {
    // mysql2 expands objects into `key = value` lists and arrays into tuples.
    if (Array.isArray(value) || isPlainObject(value)) return JSON.stringify(value)
    return value
  },
  lockStatements: (key) => ({
    lock: { sql: 'SELECT GET_LOCK(?, 60) AS locked', params: [key] },
    unlock: { sql: 'SELECT RELEASE_LOCK(?) AS released', params: [key] },
  }),
  dayOfWeek: (column) => `(DAYOFWEEK(${column}) - 1)`,
  hourOfDay: (column) => `HOUR(${column})`,
  storageBytes: (tables) => ({
    sql: `SELECT COALESCE(SUM(DATA_LENGTH + INDEX_LENGTH), 0) AS bytes FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (${tables.map(() => '?').join(', ')})`,
    params: [...tables],
  }),
  syncIdentity: () => null,
  missingTable: (error) =>
    tableInError(
      error,
      (e) => e.code === 'ER_NO_SUCH_TABLE' || e.errno === 1146,
      /Table '(?:[^']*\.)?([^'.]+)' doesn't exist/,
    ),
  textLimits: {
    table_name: { max: 255, unit: 'chars' },
    entity_id: TEXT_LIMIT,
    actor_id: TEXT_LIMIT,
    actor_type: TEXT_LIMIT,
    ip_address: TEXT_LIMIT,
    user_agent: TEXT_LIMIT,
  },
  prefixMatch(sql, column, prefix) {
    sql.raw(`${column} LIKE `).value(`${prefix.replace(/[\\%_]/g, '\\$&')}%`)
  },
}
