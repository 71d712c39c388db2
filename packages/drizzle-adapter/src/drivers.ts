import type {
  CaptureConnection,
  DialectName,
  SqliteHandle,
  SqlResult,
  SyncCaptureConnection,
} from '@chronicle/core/adapter'
import { ChronicleError, preparedStatement } from '@chronicle/core/adapter'
import { entityKind } from 'drizzle-orm'
import type { WriteKind } from './write-plan.js'

/** A client of the driver's own: a pool, a pooled connection, or a database handle. */
export type DriverClient = object

export interface Acquired {
  readonly client: DriverClient
  readonly shared: boolean
  release(): void
}

/** What the adapter needs from one of Drizzle's drivers, beyond Drizzle itself. */
export interface Driver {
  readonly name: DialectName
  /** One statement on `client`, with the driver's default value parsing. */
  query(client: DriverClient, sql: string, params: readonly unknown[]): Promise<SqlResult>
  /**
   * A connection of its own for a standalone write (a pool's), else `client` itself
   * (`shared`: the db runs on one connection, so writes on it must take turns).
   */
  acquire(client: DriverClient): Promise<Acquired>
  /** What Drizzle's driver returns for a write that returns no rows. */
  writeResult(kind: WriteKind, result: SqlResult): unknown
  /**
   * Drivers that answer synchronously (better-sqlite3): Drizzle's transactions on them are
   * synchronous, so captures must never yield.
   */
  readonly querySync?: (client: DriverClient, sql: string, params: readonly unknown[]) => SqlResult
}

const USER = '__chronicle_u'

interface PgField {
  readonly name: string
  readonly dataTypeID: number
}
interface PgResult {
  readonly command: string
  readonly rowCount: number | null
  readonly rows: Record<string, unknown>[]
  readonly fields: PgField[]
}
interface PgQueryable {
  query(config: { text: string; values: unknown[]; types: unknown }): Promise<PgResult>
}
type PgTypes = { getTypeParser(oid: number, format: 'text'): (value: string) => unknown }

/**
 * Type ids Drizzle's node-postgres driver reads as text (timestamps, dates, intervals and
 * their arrays), so its columns can decode them; the caller's RETURNING values must too.
 */
const DRIZZLE_TEXT_TYPES = new Set([1184, 1114, 1082, 1186, 1231, 1115, 1185, 1187, 1182])

let pgTypes: Promise<PgTypes> | undefined

const identity = (value: string) => value
const asText = { getTypeParser: () => identity }

const nodePostgres: Driver = {
  name: 'postgres',
  async query(client, text, params) {
    // pg's own parsers for core (as any pg client reads), Drizzle's for the caller's values.
    pgTypes ??= import('pg').then((pg) => pg.default.types as PgTypes)
    const types = await pgTypes
    const result = await (client as PgQueryable).query({
      text,
      values: [...params],
      types: asText,
    })
    const parsers = (result.fields ?? []).map((field) =>
      field.name.startsWith(USER) && DRIZZLE_TEXT_TYPES.has(field.dataTypeID)
        ? identity
        : types.getTypeParser(field.dataTypeID, 'text'),
    )
    const rows = (result.rows ?? []).map((raw) => {
      const row: Record<string, unknown> = {}
      result.fields.forEach((field, i) => {
        const value = raw[field.name]
        row[field.name] =
          value === null || value === undefined ? value : parsers[i]?.(value as string)
      })
      return row
    })
    const writes = ['INSERT', 'UPDATE', 'DELETE', 'MERGE']
    return {
      rows,
      ...(writes.includes(result.command) &&
        result.rowCount !== null && { affectedRows: BigInt(result.rowCount) }),
    }
  },
  async acquire(client) {
    if (!('totalCount' in client)) return { client, shared: true, release: () => {} }
    const connection = await (
      client as unknown as { connect(): Promise<{ release(): void }> }
    ).connect()
    return { client: connection, shared: false, release: () => connection.release() }
  },
  writeResult(kind, result) {
    return {
      command: kind.toUpperCase(),
      rowCount: Number(result.affectedRows ?? 0n),
      oid: null,
      rows: [],
      fields: [],
    }
  },
}

interface MysqlHeader {
  readonly affectedRows: number
  readonly insertId: number
  readonly changedRows?: number
}
interface MysqlQueryable {
  query(sql: string, params: unknown[]): Promise<[unknown, unknown]>
}

const mysql2: Driver = {
  name: 'mysql',
  async query(client, sql, params) {
    const [result] = await (client as MysqlQueryable).query(sql, [...params])
    if (Array.isArray(result)) return { rows: result as Record<string, unknown>[] }
    const header = result as MysqlHeader
    return {
      rows: [],
      affectedRows: BigInt(header.affectedRows),
      insertId: BigInt(header.insertId),
      ...(header.changedRows !== undefined && { changedRows: BigInt(header.changedRows) }),
    }
  },
  async acquire(client) {
    if (!('getConnection' in client)) return { client, shared: true, release: () => {} }
    const connection = await (
      client as unknown as { getConnection(): Promise<{ release(): void }> }
    ).getConnection()
    return { client: connection, shared: false, release: () => connection.release() }
  },
  writeResult(_kind, result) {
    return [
      {
        fieldCount: 0,
        affectedRows: Number(result.affectedRows ?? 0n),
        insertId: Number(result.insertId ?? 0n),
        info: '',
        serverStatus: 0,
        warningStatus: 0,
        changedRows: Number(result.changedRows ?? 0n),
      },
      undefined,
    ]
  },
}

interface SqliteStatement {
  readonly reader: boolean
  all(...params: unknown[]): Record<string, unknown>[]
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint }
}

function sqliteQuery(client: DriverClient, sql: string, params: readonly unknown[]): SqlResult {
  const statement = preparedStatement<SqliteStatement>(client as SqliteHandle, sql)
  if (statement.reader) return { rows: statement.all(...params) }
  const { changes, lastInsertRowid } = statement.run(...params)
  return { rows: [], affectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) }
}

const betterSqlite3: Driver = {
  name: 'sqlite',
  query: async (client, sql, params) => sqliteQuery(client, sql, params),
  querySync: sqliteQuery,
  acquire: async (client) => ({ client, shared: true, release: () => {} }),
  writeResult(_kind, result) {
    return {
      changes: Number(result.affectedRows ?? 0n),
      lastInsertRowid: asNumber(result.insertId ?? 0n),
    }
  },
}

const DRIVERS: Record<string, Driver> = {
  NodePgSession: nodePostgres,
  MySql2Session: mysql2,
  BetterSQLiteSession: betterSqlite3,
}

/** The driver a Drizzle db runs on, from its session's kind. */
export function driverOf(db: object): Driver {
  const session = (db as { session?: object }).session
  const kind = (session?.constructor as { [entityKind]?: string } | undefined)?.[entityKind]
  const driver = kind === undefined ? undefined : DRIVERS[kind]
  if (!driver) {
    throw new ChronicleError(
      'UNSUPPORTED',
      `Chronicle supports Drizzle's node-postgres, mysql2 and better-sqlite3 drivers, not ${kind ?? 'this db'}`,
    )
  }
  return driver
}

/** Core's view of a driver client: statements, and the transaction core may open on it. */
export function captureConnection(
  driver: Driver,
  client: DriverClient,
  begin: string,
): CaptureConnection {
  const run = (sql: string) => driver.query(client, sql, []).then(() => undefined)
  return {
    query: <R>(sql: string, params: readonly unknown[]) =>
      driver.query(client, sql, params) as never as Promise<{ rows: R[] }>,
    begin: () => run(begin),
    commit: () => run('commit'),
    rollback: () => run('rollback'),
  }
}

/** {@link captureConnection} for a driver that answers synchronously. */
export function syncCaptureConnection(
  driver: Driver,
  client: DriverClient,
  begin: string,
): SyncCaptureConnection {
  const query = driver.querySync
  if (!query) throw new Error(`${driver.name} has no synchronous queries`)
  return {
    query: <R>(sql: string, params: readonly unknown[]) =>
      query(client, sql, params) as never as { rows: R[] },
    begin: () => void query(client, begin, []),
    commit: () => void query(client, 'commit', []),
    rollback: () => void query(client, 'rollback', []),
  }
}

/** A count or id as better-sqlite3 gives it: a number, a bigint beyond 2^53. */
function asNumber(value: bigint): number | bigint {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value
}
