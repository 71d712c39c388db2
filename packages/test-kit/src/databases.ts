import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { DialectName } from '@chronicle/core'
import Database from 'better-sqlite3'
import type { Pool as MysqlPool } from 'mysql2'
import mysql from 'mysql2/promise'
import pg from 'pg'
import { createMysqlPool, createPgPool, DriverHooks, type PoolOptions } from './driver-hooks.js'

export type DatabaseKind = 'sqlite' | 'postgres' | 'mariadb'

const ALL: DatabaseKind[] = ['sqlite', 'postgres', 'mariadb']

/** The databases to test, from CHRONICLE_DBS (comma-separated) or all three. */
export const DATABASES: DatabaseKind[] = process.env.CHRONICLE_DBS
  ? ALL.filter((kind) => process.env.CHRONICLE_DBS?.split(',').includes(kind))
  : ALL

export const PG_URL = process.env.CHRONICLE_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
export const MARIADB_URL = process.env.CHRONICLE_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306/test'

/** A fresh, empty database of one kind, private to one test file or test. */
export interface TestDatabase {
  readonly kind: DatabaseKind
  readonly dialect: DialectName
  /** SQLite: the better-sqlite3 handle the adapter must share. */
  readonly sqlite?: Database.Database
  /** PostgreSQL / MariaDB: where the adapter connects. */
  readonly url?: string
  /** Code run under the audited client's driver, between two of its statements. */
  readonly hooks: DriverHooks
  /** PostgreSQL: a pool for the audited client. */
  pgPool(options?: PoolOptions): pg.Pool
  /** MariaDB: a mysql2 callback pool for the audited client. */
  mysqlPool(options?: PoolOptions): MysqlPool
  /** Runs SQL outside any audit, on a connection of its own (SQLite: the same handle). */
  exec(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>
  /**
   * Servers: opens another transaction on a connection of its own and runs `sql` in it, so
   * it holds that statement's row locks until {@link HeldTransaction.commit}.
   */
  hold(sql: string, params?: readonly unknown[]): Promise<HeldTransaction>
  drop(): Promise<void>
}

/** Another session's open transaction, holding row locks (see {@link TestDatabase.hold}). */
export interface HeldTransaction {
  /**
   * Resolves once another session waits for a lock this transaction holds: a condition read
   * from the server's lock tables, so a race is forced at that point, not hoped for.
   */
  untilBlocking(): Promise<void>
  commit(): Promise<void>
}

/** Polls `blocking` (a server's lock tables) every `interval` ms until it is true; fails after 10 s. */
async function waitFor(blocking: () => Promise<boolean>, interval = 5): Promise<void> {
  for (let polls = 0; polls < 10_000 / interval; polls++) {
    if (await blocking()) return
    await sleep(interval)
  }
  throw new Error('no session ever waited for the held transaction')
}

const uniqueName = () => `chronicle_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`

/**
 * True when the server answers. Under CI=true an unreachable server is an error: CI must
 * never report a database's suites as skipped.
 */
export async function isAvailable(kind: DatabaseKind): Promise<boolean> {
  if (kind === 'sqlite') return true
  try {
    if (kind === 'postgres') {
      const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 })
      await client.connect()
      await client.end()
    } else {
      const connection = await mysql.createConnection({ uri: MARIADB_URL, connectTimeout: 3000 })
      await connection.end()
    }
    return true
  } catch (error) {
    if (process.env.CI === 'true') {
      throw new Error(`${kind} is not reachable and CI=true: its suites must run, not skip`, {
        cause: error,
      })
    }
    return false
  }
}

const noPool = (kind: DatabaseKind) => () => {
  throw new Error(`a ${kind} test database has no such pool`)
}

/**
 * A SQLite database on its own better-sqlite3 handle: in memory, or a file that other
 * handles (other connections, as other processes would have) may open too.
 */
export function openSqlite(file = ':memory:', options: Database.Options = {}): TestDatabase {
  const sqlite = new Database(file, options)
  return {
    kind: 'sqlite',
    dialect: 'sqlite',
    sqlite,
    hooks: new DriverHooks(),
    pgPool: noPool('sqlite'),
    mysqlPool: noPool('sqlite'),
    async exec(sql, params = []) {
      const statement = sqlite.prepare(sql)
      if (statement.reader) return statement.all(...params) as Record<string, unknown>[]
      statement.run(...params)
      return []
    },
    hold: async () => {
      throw new Error('SQLite has one writer at a time: no transaction can be held beside it')
    },
    async drop() {
      sqlite.close()
    },
  }
}

export async function createTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  if (kind === 'sqlite') return openSqlite()
  const hooks = new DriverHooks()
  const name = uniqueName()
  if (kind === 'postgres') {
    const admin = new pg.Client({ connectionString: PG_URL })
    await admin.connect()
    await admin.query(`CREATE DATABASE ${name}`)
    await admin.end()
    const url = PG_URL.replace(/\/[^/]*$/, `/${name}`)
    const pool = new pg.Pool({ connectionString: url, max: 4 })
    return {
      kind,
      dialect: 'postgres',
      url,
      hooks,
      pgPool: (options) => createPgPool(url, options),
      mysqlPool: noPool(kind),
      async exec(sql, params = []) {
        return (await pool.query(sql, [...params])).rows
      },
      async hold(sql, params = []) {
        const held = new pg.Client({ connectionString: url })
        await held.connect()
        await held.query('BEGIN')
        await held.query(sql, [...params])
        const { rows } = await held.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
        const pid = rows[0]?.pid
        return {
          untilBlocking: () =>
            waitFor(async () => {
              const { rows } = await pool.query(
                'SELECT 1 FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))',
                [pid],
              )
              return rows.length > 0
            }),
          async commit() {
            await held.query('COMMIT')
            await held.end()
          },
        }
      },
      async drop() {
        await pool.end()
        const client = new pg.Client({ connectionString: PG_URL })
        await client.connect()
        try {
          // Ended pools close their sockets asynchronously: wait for the backends to go
          // rather than terminate them (FORCE would fail the still-closing clients).
          for (let attempt = 0; ; attempt++) {
            try {
              await client.query(`DROP DATABASE IF EXISTS ${name}`)
              break
            } catch (error) {
              if ((error as { code?: string }).code !== '55006' || attempt > 100) throw error
              await sleep(50)
            }
          }
        } finally {
          await client.end()
        }
      },
    }
  }
  const admin = await mysql.createConnection({ uri: MARIADB_URL })
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = MARIADB_URL.replace(/\/[^/]*$/, `/${name}`)
  const pool = mysql.createPool({ uri: url, connectionLimit: 4 })
  return {
    kind,
    dialect: 'mysql',
    url,
    hooks,
    pgPool: noPool(kind),
    mysqlPool: (options) => createMysqlPool(url, options),
    async exec(sql, params = []) {
      const [rows] = await pool.query(sql, [...params])
      return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : []
    },
    async hold(sql, params = []) {
      const held = await mysql.createConnection({ uri: url })
      await held.query('BEGIN')
      await held.query(sql, [...params])
      const [rows] = await held.query('SELECT CONNECTION_ID() AS id')
      const self = (rows as { id: number }[])[0]
      return {
        untilBlocking: () =>
          waitFor(async () => {
            const [rows] = await pool.query(
              `SELECT 1 FROM information_schema.INNODB_LOCK_WAITS w
                 JOIN information_schema.INNODB_TRX t ON t.trx_id = w.blocking_trx_id
                WHERE t.trx_mysql_thread_id = ?`,
              [self?.id],
            )
            return Array.isArray(rows) && rows.length > 0
            // InnoDB refreshes these tables only when they were not read for 0.1 s.
          }, 150),
        async commit() {
          await held.query('COMMIT')
          await held.end()
        },
      }
    },
    async drop() {
      await pool.end()
      const client = await mysql.createConnection({ uri: MARIADB_URL })
      await client.query(`DROP DATABASE IF EXISTS ${name}`)
      await client.end()
    },
  }
}
