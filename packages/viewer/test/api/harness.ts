import { createServer, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type Chronicle, withAuditContext } from '@chronicle/core'
import { createAuditTable, getDialect, type SqlConnection } from '@chronicle/core/adapter'
import { auditPlugin } from '@chronicle/kysely'
import {
  createTestDatabase,
  type DatabaseKind,
  kyselyDialect,
  type TestDatabase,
} from '@chronicle/test-kit'
import { Kysely } from 'kysely'
import type { ViewerPrincipal } from '../../src/index.js'

const DDL = {
  sqlite: [
    'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT, password_hash TEXT)',
    'CREATE TABLE orders (order_id TEXT PRIMARY KEY, total INTEGER NOT NULL, status TEXT NOT NULL)',
    'CREATE TABLE memberships (user_id INTEGER, org_id INTEGER, role TEXT, PRIMARY KEY (user_id, org_id))',
  ],
  postgres: [
    'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT, password_hash TEXT)',
    'CREATE TABLE orders (order_id TEXT PRIMARY KEY, total INTEGER NOT NULL, status TEXT NOT NULL)',
    'CREATE TABLE memberships (user_id INTEGER, org_id INTEGER, role TEXT, PRIMARY KEY (user_id, org_id))',
  ],
  mysql: [
    'CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(191) NOT NULL, name VARCHAR(191), password_hash VARCHAR(191))',
    'CREATE TABLE orders (order_id VARCHAR(64) PRIMARY KEY, total INT NOT NULL, status VARCHAR(32) NOT NULL)',
    'CREATE TABLE memberships (user_id INT, org_id INT, role VARCHAR(32), PRIMARY KEY (user_id, org_id))',
  ],
}

export const XSS = '<script>alert(1)</script>'

export interface Demo {
  readonly db: TestDatabase
  readonly audit: Chronicle<any>
  readonly app: Kysely<any>
  /** The transaction of entries #5 and #6. */
  readonly adminTransaction: string
  close(): Promise<void>
}

/**
 * The demo history, written through the Kysely adapter:
 * #1 INSERT users 1 (alice), #2 UPDATE users 1 name = <script> (alice),
 * #3 INSERT users 2 (bob), #4 UPDATE users 2 name (bob),
 * #5 INSERT orders o-1 + #6 UPDATE users 1 email in one transaction (admin),
 * #7 billing.plan.changed organization 7 (system), #8 UPDATE orders o-1 status (bob).
 */
export async function demoDatabase(kind: DatabaseKind): Promise<Demo> {
  const db = await createTestDatabase(kind)
  for (const statement of DDL[db.dialect]) await db.exec(statement)
  const raw: SqlConnection = {
    query: async <R>(sql: string, params: readonly unknown[]) => ({
      rows: (await db.exec(sql, params)) as R[],
    }),
  }
  await createAuditTable(raw, getDialect(db.dialect))
  const audit = auditPlugin<any>({
    tables: {
      users: { redact: ['password_hash'] },
      orders: { primaryKey: 'order_id' },
      memberships: { primaryKey: ['user_id', 'org_id'] },
    },
  })
  const app = new Kysely<any>({ dialect: audit.dialect(kyselyDialect(db)) })
  const as = (actorId: string, work: () => Promise<unknown>) =>
    withAuditContext({ actorId, actorType: 'user' }, work)
  await as('alice', async () => {
    await app
      .insertInto('users')
      .values({ id: 1, email: 'alice@example.com', name: 'Alice', password_hash: 's1' })
      .execute()
    await app.updateTable('users').set({ name: XSS }).where('id', '=', 1).execute()
  })
  await as('bob', async () => {
    await app
      .insertInto('users')
      .values({ id: 2, email: 'bob@example.com', name: 'Bob', password_hash: 's2' })
      .execute()
    await app.updateTable('users').set({ name: 'Bobby' }).where('id', '=', 2).execute()
  })
  await as('admin', () =>
    app.transaction().execute(async (tx) => {
      await tx.insertInto('orders').values({ order_id: 'o-1', total: 30, status: 'new' }).execute()
      await tx
        .updateTable('users')
        .set({ email: 'alice@new.example' })
        .where('id', '=', 1)
        .execute()
    }),
  )
  await withAuditContext({ actorId: 'system', actorType: 'system' }, () =>
    audit.log({ action: 'billing.plan.changed', targetType: 'organization', targetId: 7 }),
  )
  await as('bob', () =>
    app.updateTable('orders').set({ status: 'paid' }).where('order_id', '=', 'o-1').execute(),
  )
  const adminTransaction = (await audit.entry(5)).transactionId
  return {
    db,
    audit,
    app,
    adminTransaction,
    async close() {
      // SQLite: the test database owns the handle Kysely shares.
      if (kind !== 'sqlite') await app.destroy()
      await db.drop()
    },
  }
}

/** Test principals, chosen by `Authorization: Bearer <name>`. */
export const PRINCIPALS: Readonly<Record<string, ViewerPrincipal>> = {
  admin: { actorId: 'admin', scope: 'all', canRestore: true, name: 'Ada Admin' },
  reader: { actorId: 'reader', scope: 'all' },
  alice: { actorId: 'alice', scope: 'self', name: 'Alice' },
  bob: { actorId: 'bob', scope: 'self', canRestore: true },
  nobody: { actorId: null, scope: 'self' },
}

export function authorizeByBearer(request: Request): ViewerPrincipal | null {
  const name = /^Bearer (\w+)$/.exec(request.headers.get('authorization') ?? '')?.[1]
  if (name === 'boom') throw new Error('the session store is down')
  return (name && PRINCIPALS[name]) || null
}

/** A node:http server on a free port; `url` has no trailing slash. */
export async function listen(
  listener: RequestListener,
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer(listener)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}
