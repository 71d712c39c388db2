import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3'
import { PrismaMariaDb } from '@prisma/adapter-mariadb'
import { PrismaPg } from '@prisma/adapter-pg'
import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils'
import Database from 'better-sqlite3'
import { type Dialect, MysqlDialect, PostgresDialect, SqliteDialect } from 'kysely'
import mysql from 'mysql2'
import mysqlPromise from 'mysql2/promise'
import pg from 'pg'

export type DatabaseKind = 'sqlite' | 'postgres' | 'mariadb'

const PG_URL = process.env.CHRONICLE_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const MARIADB_URL = process.env.CHRONICLE_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306/test'

/** A private database for one benchmark run: fresh Kysely dialects on it, and a way to drop it. */
export interface BenchTarget {
  readonly kind: DatabaseKind
  dialect(): Dialect
  /** A Prisma driver adapter factory over the same database. */
  prismaAdapter(): SqlDriverAdapterFactory
  /** A driver client of its own for Drizzle: the SQLite handle, a pg pool, a mysql2 pool. */
  client(): object
  /** The driver itself, for the hand-built floor: no Kysely between it and the database. */
  raw(): RawDriver
  drop(): Promise<void>
}

export type RawDriver =
  | { readonly kind: 'sqlite'; readonly db: Database.Database }
  | { readonly kind: 'postgres'; readonly pool: pg.Pool }
  | { readonly kind: 'mariadb'; readonly pool: mysqlPromise.Pool }

/** The target, or null (with the reason printed) when its server is not reachable. */
export async function openTarget(kind: DatabaseKind): Promise<BenchTarget | null> {
  const name = `chronicle_bench_${randomBytes(3).toString('hex')}`
  try {
    if (kind === 'sqlite') {
      // A file in WAL mode with synchronous=NORMAL: how SQLite is run in production.
      const file = join(tmpdir(), `${name}.db`)
      const sqlite = new Database(file)
      sqlite.pragma('journal_mode = WAL')
      sqlite.pragma('synchronous = NORMAL')
      return {
        kind,
        dialect: () => new SqliteDialect({ database: sqlite }),
        prismaAdapter: () => new PrismaBetterSqlite3({ url: `file:${file}` }),
        client: () => sqlite,
        raw: () => ({ kind, db: sqlite }),
        async drop() {
          sqlite.close()
          for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true })
        },
      }
    }
    if (kind === 'postgres') {
      const admin = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 })
      await admin.connect()
      await admin.query(`CREATE DATABASE ${name}`)
      await admin.end()
      const url = PG_URL.replace(/\/[^/]*$/, `/${name}`)
      const pools: pg.Pool[] = []
      return {
        kind,
        dialect: () => {
          const pool = new pg.Pool({ connectionString: url, max: 2 })
          pools.push(pool)
          return new PostgresDialect({ pool })
        },
        prismaAdapter: () => new PrismaPg({ connectionString: url, max: 2 }),
        client: () => {
          const pool = new pg.Pool({ connectionString: url, max: 2 })
          pools.push(pool)
          return pool
        },
        raw: () => {
          const pool = new pg.Pool({ connectionString: url, max: 2 })
          pools.push(pool)
          return { kind, pool }
        },
        async drop() {
          await Promise.all(pools.map((p) => p.end().catch(() => undefined)))
          const client = new pg.Client({ connectionString: PG_URL })
          await client.connect()
          // Ended pools close sockets asynchronously; FORCE would fail the clients still closing.
          for (let attempt = 0; ; attempt++) {
            const dropped = await client.query(`DROP DATABASE IF EXISTS ${name}`).then(
              () => true,
              (error: { code?: string }) => {
                if (error.code !== '55006' || attempt > 100) throw error
                return false
              },
            )
            if (dropped) break
            await new Promise((resolve) => setTimeout(resolve, 50))
          }
          await client.end()
        },
      }
    }
    const admin = await mysqlPromise.createConnection({ uri: MARIADB_URL, connectTimeout: 3000 })
    await admin.query(`CREATE DATABASE ${name}`)
    await admin.end()
    const uri = MARIADB_URL.replace(/\/[^/]*$/, `/${name}`)
    const pools: mysql.Pool[] = []
    const rawPools: mysqlPromise.Pool[] = []
    return {
      kind,
      dialect: () => new MysqlDialect({ pool: mysql.createPool({ uri, connectionLimit: 2 }) }),
      prismaAdapter: () => {
        const { hostname, port, username } = new URL(uri)
        return new PrismaMariaDb({
          host: hostname,
          port: Number(port || 3306),
          user: decodeURIComponent(username),
          database: name,
          connectionLimit: 2,
        })
      },
      client: () => {
        const pool = mysql.createPool({ uri, connectionLimit: 2 })
        pools.push(pool)
        return pool
      },
      raw: () => {
        const pool = mysqlPromise.createPool({ uri, connectionLimit: 2 })
        rawPools.push(pool)
        return { kind, pool }
      },
      async drop() {
        await Promise.all(pools.map((p) => new Promise<void>((resolve) => p.end(() => resolve()))))
        await Promise.all(rawPools.map((p) => p.end().catch(() => undefined)))
        const client = await mysqlPromise.createConnection({ uri: MARIADB_URL })
        await client.query(`DROP DATABASE IF EXISTS ${name}`)
        await client.end()
      },
    }
  } catch (error) {
    console.log(`${kind}: not reachable, skipped (${(error as Error).message})`)
    return null
  }
}
