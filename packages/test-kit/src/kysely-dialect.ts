import { type Dialect, MysqlDialect, PostgresDialect, SqliteDialect } from 'kysely'
import type { TestDatabase } from './databases.js'
import type { PoolOptions } from './driver-hooks.js'

/** A plain Kysely dialect over a test database: what the suites wrap with `audit.dialect()`. */
export function kyselyDialect(db: TestDatabase, settings?: PoolOptions): Dialect {
  if (db.kind === 'sqlite') return new SqliteDialect({ database: db.sqlite as never })
  if (db.kind === 'postgres') return new PostgresDialect({ pool: db.pgPool(settings) })
  return new MysqlDialect({ pool: db.mysqlPool(settings) })
}
