import type { DialectName } from '@chronicle/core'
import type { TestDatabase } from './databases.js'

/** The fixture tables every contract suite writes to. `notes` is never audited. */
export type TestTables = {
  users: {
    id: number
    email: string
    name: string | null
    score: number
    active: boolean | number | null
    balance: string | number | bigint | null
    born_at: Date | string | null
    profile: unknown
    avatar: Buffer | null
    updated_at: string | null
    password_hash: string | null
  }
  orders: { order_id: string; user_id: number; total: number; status: string }
  memberships: { user_id: number; org_id: number; role: string }
  notes: { id: number; body: string }
}

const DDL: Record<DialectName, string[]> = {
  sqlite: [
    `CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT,
      score INTEGER NOT NULL DEFAULT 0, active INTEGER, balance INTEGER, born_at TEXT, profile TEXT,
      avatar BLOB, updated_at TEXT, password_hash TEXT)`,
    `CREATE TABLE orders (order_id TEXT PRIMARY KEY, user_id INTEGER NOT NULL, total INTEGER NOT NULL, status TEXT NOT NULL)`,
    `CREATE TABLE memberships (user_id INTEGER NOT NULL, org_id INTEGER NOT NULL, role TEXT NOT NULL, PRIMARY KEY (user_id, org_id))`,
    `CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)`,
  ],
  postgres: [
    `CREATE TABLE users (id SERIAL PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT,
      score INTEGER NOT NULL DEFAULT 0, active BOOLEAN, balance BIGINT, born_at TIMESTAMPTZ(3), profile JSONB,
      avatar BYTEA, updated_at TEXT, password_hash TEXT)`,
    `CREATE TABLE orders (order_id TEXT PRIMARY KEY, user_id INTEGER NOT NULL, total INTEGER NOT NULL, status TEXT NOT NULL)`,
    `CREATE TABLE memberships (user_id INTEGER NOT NULL, org_id INTEGER NOT NULL, role TEXT NOT NULL, PRIMARY KEY (user_id, org_id))`,
    `CREATE TABLE notes (id SERIAL PRIMARY KEY, body TEXT NOT NULL)`,
  ],
  mysql: [
    `CREATE TABLE users (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(191) NOT NULL UNIQUE, name VARCHAR(255),
      score INT NOT NULL DEFAULT 0, active BOOLEAN, balance BIGINT, born_at DATETIME(3), profile JSON,
      avatar BLOB, updated_at VARCHAR(64), password_hash VARCHAR(255))`,
    `CREATE TABLE orders (order_id VARCHAR(64) PRIMARY KEY, user_id INT NOT NULL, total INT NOT NULL, status VARCHAR(32) NOT NULL)`,
    `CREATE TABLE memberships (user_id INT NOT NULL, org_id INT NOT NULL, role VARCHAR(32) NOT NULL, PRIMARY KEY (user_id, org_id))`,
    `CREATE TABLE notes (id INT AUTO_INCREMENT PRIMARY KEY, body TEXT NOT NULL)`,
  ],
}

export async function createFixtureTables(db: TestDatabase): Promise<void> {
  for (const statement of DDL[db.dialect]) await db.exec(statement)
}

/**
 * A users row with every kind of value (timestamp, bigint, boolean, JSON, binary), in the
 * form each database's driver accepts.
 */
export function userRow(dialect: DialectName, n: number, overrides: Record<string, unknown> = {}) {
  const profile = { plan: n % 2 === 0 ? 'pro' : 'free', tags: ['a', `t${n}`], nested: { n } }
  return {
    email: `user${n}@example.com`,
    name: `User ${n}`,
    score: n,
    active: dialect === 'postgres' ? n % 2 === 0 : n % 2,
    balance: dialect === 'sqlite' ? 9_007_199_254_740 + n : `90071992547409${n % 10}`,
    born_at:
      dialect === 'sqlite'
        ? `2000-01-0${(n % 9) + 1}T10:00:00.000Z`
        : new Date(Date.UTC(2000, 0, (n % 28) + 1, 10, 0, 0, 123)),
    profile: dialect === 'postgres' ? profile : JSON.stringify(profile),
    avatar: Buffer.from([n % 256, 0, 255, 1]),
    updated_at: null,
    password_hash: `secret-${n}`,
    ...overrides,
  }
}

/** Tables config the suites use unless a test sets its own. */
export const defaultTables = {
  users: { ignore: ['updated_at'], redact: ['password_hash'] },
  orders: { primaryKey: 'order_id' },
  memberships: { primaryKey: ['user_id', 'org_id'] },
} as const
