import type { DialectName, SqlDialect } from '../dialect.js'
import { mysqlDialect } from './mysql.js'
import { postgresDialect } from './postgres.js'
import { sqliteDialect } from './sqlite.js'

const dialects: Record<DialectName, SqlDialect> = {
  sqlite: sqliteDialect,
  postgres: postgresDialect,
  mysql: mysqlDialect,
}

export function getDialect(name: DialectName): SqlDialect {
  return dialects[name]
}
