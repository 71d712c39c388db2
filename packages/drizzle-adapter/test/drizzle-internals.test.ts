import Database from 'better-sqlite3'
import { sql } from 'drizzle-orm'
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3'
import { int as mysqlInt, mysqlTable } from 'drizzle-orm/mysql-core'
import { drizzle as drizzleMysql } from 'drizzle-orm/mysql2'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import { alias, integer as pgInteger, pgSchema, pgTable } from 'drizzle-orm/pg-core'
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { createPool } from 'mysql2'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { driverOf } from '../src/drivers.js'
import {
  columnDefaults,
  dialectOf,
  mapResultRow,
  sessionClient,
  tableIdentity,
  tableSchema,
  writeConfig,
} from '../src/drizzle-internals.js'

/**
 * The adapter reads a few members Drizzle marks internal (drizzle-internals.ts). This fails
 * loudly, and first, when a Drizzle release changes one of them.
 */
describe('drizzle internals the adapter relies on', () => {
  const users = sqliteTable('users', {
    id: integer('id').primaryKey(),
    name: text('name').$onUpdateFn(() => 'updated'),
    token: text('token').$defaultFn(() => 't'),
  })

  it('builders keep their parts in .config; the db has .session.client and .dialect', () => {
    const handle = new Database(':memory:')
    const db = drizzleSqlite(handle)
    expect(sessionClient(db)).toBe(handle)
    const update = db.update(users).set({ name: 'x' }).where(sql`1 = 1`).returning()
    const config = writeConfig(update)
    expect(config.table).toBe(users)
    expect(Object.keys(config.set ?? {})).toEqual(['name'])
    expect(config.where).toBeDefined()
    expect(config.returning?.map((f) => f.path)).toEqual([['id'], ['name'], ['token']])
    const insert = db.insert(users).values({ id: 1 }).onConflictDoNothing()
    expect(Array.isArray(writeConfig(insert).values)).toBe(true)
    expect(writeConfig(insert).onConflict).toBeDefined()
    const dialect = dialectOf(db)
    expect(dialect.sqlToQuery(dialect.buildUpdateQuery(config)).sql).toMatch(/^update "users"/)
    expect(typeof (update as unknown as { _prepare: unknown })._prepare).toBe('function')
    handle.close()
  })

  it('columns expose their runtime defaults; tables their name, alias flag and schema', () => {
    expect(columnDefaults(users.token).defaultFn?.()).toBe('t')
    expect(columnDefaults(users.name).onUpdateFn?.()).toBe('updated')
    const pgUsers = pgSchema('app').table('users', { id: pgInteger('id') })
    expect(tableSchema(pgUsers)).toBe('app')
    expect(tableIdentity(alias(pgTable('users', { id: pgInteger('id') }), 'u'))).toEqual({
      name: 'users',
      alias: true,
    })
    expect(mapResultRow([{ path: ['id'], field: users.id }], [1])).toEqual({ id: 1 })
  })

  it('each supported driver is recognised by its session, others are refused', async () => {
    const pool = new pg.Pool()
    expect(driverOf(drizzlePg(pool)).name).toBe('postgres')
    const mysql = createPool({})
    expect(driverOf(drizzleMysql(mysql)).name).toBe('mysql')
    mysql.end()
    const handle = new Database(':memory:')
    expect(driverOf(drizzleSqlite(handle)).name).toBe('sqlite')
    handle.close()
    expect(() => driverOf({ session: {} })).toThrow(/supports Drizzle/)
    await pool.end()
    expect(mysqlTable('t', { id: mysqlInt('id') })).toBeDefined()
  })
})
