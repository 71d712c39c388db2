import { randomUUID } from 'node:crypto'
import type { DialectName } from '@chronicle/core'
import * as my from 'drizzle-orm/mysql-core'
import * as pg from 'drizzle-orm/pg-core'
import * as lite from 'drizzle-orm/sqlite-core'

/**
 * Tables as an application declares them: Drizzle's own column types, property keys that
 * differ from column names, a runtime default key. Created with `APP_DDL`.
 */
export const pgApp = {
  users: pg.pgTable('users', {
    id: pg.serial('id').primaryKey(),
    email: pg.text('email').notNull(),
    name: pg.text('name'),
    score: pg.integer('score').notNull().default(0),
    bornAt: pg.timestamp('born_at', { withTimezone: true, precision: 3, mode: 'date' }),
    profile: pg.jsonb('profile').$type<{ plan: string }>(),
  }),
  tokens: pg.pgTable('tokens', {
    id: pg
      .text('id')
      .primaryKey()
      .$defaultFn(() => randomUUID()),
    label: pg.text('label').notNull(),
  }),
}

export const mysqlApp = {
  users: my.mysqlTable('users', {
    id: my.int('id').primaryKey().autoincrement(),
    email: my.varchar('email', { length: 191 }).notNull(),
    name: my.varchar('name', { length: 255 }),
    score: my.int('score').notNull().default(0),
    bornAt: my.datetime('born_at', { mode: 'date', fsp: 3 }),
    profile: my.json('profile').$type<{ plan: string }>(),
  }),
  tokens: my.mysqlTable('tokens', {
    id: my
      .varchar('id', { length: 64 })
      .primaryKey()
      .$defaultFn(() => randomUUID()),
    label: my.varchar('label', { length: 64 }).notNull(),
  }),
}

export const sqliteApp = {
  users: lite.sqliteTable('users', {
    id: lite.integer('id').primaryKey(),
    email: lite.text('email').notNull(),
    name: lite.text('name'),
    score: lite.integer('score').notNull().default(0),
    bornAt: lite.integer('born_at', { mode: 'timestamp_ms' }),
    profile: lite.text('profile', { mode: 'json' }).$type<{ plan: string }>(),
  }),
  tokens: lite.sqliteTable('tokens', {
    id: lite
      .text('id')
      .primaryKey()
      .$defaultFn(() => randomUUID()),
    label: lite.text('label').notNull(),
  }),
}

export const APP_DDL: Record<DialectName, string[]> = {
  postgres: [
    'CREATE TABLE users (id SERIAL PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT, score INTEGER NOT NULL DEFAULT 0, born_at TIMESTAMPTZ(3), profile JSONB)',
    'CREATE TABLE tokens (id TEXT PRIMARY KEY, label TEXT NOT NULL)',
    'CREATE TABLE notes (id SERIAL PRIMARY KEY, body TEXT NOT NULL)',
  ],
  mysql: [
    'CREATE TABLE users (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(191) NOT NULL UNIQUE, name VARCHAR(255), score INT NOT NULL DEFAULT 0, born_at DATETIME(3), profile JSON)',
    'CREATE TABLE tokens (id VARCHAR(64) PRIMARY KEY, label VARCHAR(64) NOT NULL)',
    'CREATE TABLE notes (id INT AUTO_INCREMENT PRIMARY KEY, body TEXT NOT NULL)',
  ],
  sqlite: [
    'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT, score INTEGER NOT NULL DEFAULT 0, born_at INTEGER, profile TEXT)',
    'CREATE TABLE tokens (id TEXT PRIMARY KEY, label TEXT NOT NULL)',
    'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)',
  ],
}
