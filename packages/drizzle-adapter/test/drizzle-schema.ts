import type { DialectName } from '@chronicle/core'
import { datetime, customType as mysqlCustom, mysqlTable } from 'drizzle-orm/mysql-core'
import { customType as pgCustom, pgTable, timestamp } from 'drizzle-orm/pg-core'
import { integer, customType as sqliteCustom, sqliteTable } from 'drizzle-orm/sqlite-core'

/**
 * Drizzle definitions of the contract's fixture tables (test-kit's schema.ts), per
 * dialect. Columns pass the driver's values through untouched, as the contract expects,
 * except timestamps, which Drizzle's drivers read as text and its columns turn into Dates.
 */
type Column = (name: string) => unknown

const pgRaw = (type: string): Column =>
  pgCustom<{ data: any; driverData: any }>({ dataType: () => type })
const mysqlRaw = (type: string): Column =>
  mysqlCustom<{ data: any; driverData: any }>({ dataType: () => type })
const sqliteRaw = (type: string): Column =>
  sqliteCustom<{ data: any; driverData: any }>({ dataType: () => type })

const special: Record<DialectName, Record<string, Column>> = {
  postgres: {
    born_at: (name) => timestamp(name, { withTimezone: true, precision: 3, mode: 'date' }),
  },
  mysql: { born_at: (name) => datetime(name, { mode: 'date', fsp: 3 }) },
  // SQLite inserts NULL for a column Drizzle is given no value for, unless it has a default.
  sqlite: { score: (name) => integer(name).default(0) },
}

const raw: Record<DialectName, Column> = {
  postgres: pgRaw('text'),
  mysql: mysqlRaw('text'),
  sqlite: sqliteRaw('text'),
}

/** The columns each fixture table has when the suites start. */
export const FIXTURE_COLUMNS: Record<string, string[]> = {
  users: [
    'id',
    'email',
    'name',
    'score',
    'active',
    'balance',
    'born_at',
    'profile',
    'avatar',
    'updated_at',
    'password_hash',
  ],
  orders: ['order_id', 'user_id', 'total', 'status'],
  memberships: ['user_id', 'org_id', 'role'],
  notes: ['id', 'body'],
  ledger: ['id', 'amount', 'label'],
  slugs: ['slug', 'title'],
}

/**
 * A Drizzle table named `name` with exactly `columns` (a migration may have added or
 * dropped some since the suite started).
 */
export function fixtureTable(dialect: DialectName, name: string, columns: readonly string[]): any {
  const build = (column: string) => (special[dialect][column] ?? raw[dialect])(column)
  const shape = Object.fromEntries(columns.map((c) => [c, build(c)])) as Record<string, never>
  if (dialect === 'postgres') return pgTable(name, shape)
  if (dialect === 'mysql') return mysqlTable(name, shape)
  return sqliteTable(name, shape)
}
