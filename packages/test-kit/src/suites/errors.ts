import { PassThrough } from 'node:stream'
import { type Chronicle, type ChronicleErrorCode, isChronicleError } from '@chronicle/core'
import { getDialect } from '@chronicle/core/adapter'
import { describe, expect, it } from 'vitest'
import type { AdapterFactory, AuditedClient } from '../adapter.js'
import { createTestDatabase, type DatabaseKind } from '../databases.js'
import { type TestTables, userRow } from '../schema.js'
import { useFixture } from '../setup.js'

async function expectCode(promise: Promise<unknown> | (() => unknown), code: ChronicleErrorCode) {
  let error: unknown
  try {
    await (typeof promise === 'function' ? promise() : promise)
  } catch (e) {
    error = e
  }
  expect(
    isChronicleError(error, code),
    `expected ChronicleError ${code}, got ${String(error)}`,
  ).toBe(true)
  return error as Error
}

/** One call of every public query API method, by name; each must fail with a ChronicleError here. */
function everyApiCall(
  audit: Chronicle<TestTables>,
  client: AuditedClient,
): [string, () => Promise<unknown>][] {
  const users = audit.table('users')
  const sink = new PassThrough().resume()
  const line = JSON.stringify({
    id: 99,
    createdAt: new Date().toISOString(),
    transactionId: 't',
    action: 'x.y',
    tableName: null,
    entityId: null,
    oldValues: null,
    newValues: null,
    changedFields: null,
    actorId: null,
    actorType: null,
    ipAddress: null,
    userAgent: null,
    metadata: null,
    hash: null,
  })
  return [
    ['logs', () => audit.logs()],
    ['entry', () => audit.entry(1)],
    ['history', () => users.history(1)],
    ['stateAt', () => users.stateAt(1, new Date())],
    ['diff', () => users.diff(1, { from: 1 })],
    ['compare', () => audit.compare(1, 2)],
    ['stats', () => audit.stats()],
    ['cleanup', () => audit.cleanup({ keepDays: 0 })],
    [
      'export',
      async () => {
        for await (const _ of audit.export()) break
      },
    ],
    ['exportJsonl', () => audit.exportJsonl({}, sink)],
    ['importJsonl', () => audit.importJsonl([line])],
    ['restore', () => audit.restore(1)],
    ['revertTransaction', () => audit.revertTransaction('t')],
    ['seal', () => audit.seal({ sealDelayMs: 0 })],
    ['verify', () => audit.verify()],
    ['log', () => audit.log({ action: 'billing.plan.changed' })],
    ['log in a transaction', () => client.transaction((tx) => tx.log({ action: 'a.b' }))],
  ]
}

/** Each call rejects with a ChronicleError of `code`; returns the errors by call name. */
async function expectEveryCode(
  calls: [string, () => Promise<unknown>][],
  code: ChronicleErrorCode,
) {
  const errors = new Map<string, unknown>()
  for (const [name, call] of calls) {
    const error = await call().then(
      () => new Error('resolved'),
      (e: unknown) => e,
    )
    errors.set(name, error)
  }
  const wrong = [...errors]
    .filter(([, error]) => !isChronicleError(error, code))
    .map(([name, error]) => `${name}: ${String(error)}`)
  expect(wrong, `expected ChronicleError ${code} from every call`).toEqual([])
  return errors
}

export function errorsSuite(factory: AdapterFactory, kind: DatabaseKind) {
  describe('errors', () => {
    const start = useFixture(factory, kind)

    it('a configured table that does not exist fails with UNKNOWN_TABLE naming it; nothing is written', async () => {
      const f = await start({ tables: { users: {}, ghosts: {} } as never })
      const { client } = f
      await client.insert('users', [userRow(f.db.dialect, 1)])
      const error = await expectCode(client.insert('ghosts' as never, [{ id: 1 }]), 'UNKNOWN_TABLE')
      expect(error.message).toContain('ghosts')
      await expectCode(client.audit.table('ghosts' as never).current(1), 'UNKNOWN_TABLE')
      expect(await f.count('audit_logs')).toBe(1)
      await expectCode(() => client.audit.table('nope' as never), 'UNKNOWN_TABLE')
    })

    it('a primary key the table lacks fails with MISSING_PRIMARY_KEY and the write does not happen', async () => {
      const f = await start({ tables: { orders: {} } })
      await expectCode(
        f.client.insert('orders', [{ order_id: 'x', user_id: 1, total: 1, status: 's' }]),
        'MISSING_PRIMARY_KEY',
      )
      expect(await f.count('orders')).toBe(0)
    })

    it('a missing audit table fails with MISSING_AUDIT_TABLE saying how to create it; the write does not happen', async () => {
      const f = await start({ withAuditTable: false })
      const error = await expectCode(
        f.client.insert('users', [userRow(f.db.dialect, 1)]),
        'MISSING_AUDIT_TABLE',
      )
      expect(error.message).toContain('createAuditTable')
      expect(await f.count('users')).toBe(0)
    })

    it('malformed filters fail with INVALID_FILTER', async () => {
      const f = await start()
      const { audit } = f.client
      await expectCode(audit.logs({ limit: 0 }), 'INVALID_FILTER')
      await expectCode(audit.logs({ limit: 1.5 }), 'INVALID_FILTER')
      await expectCode(audit.logs({ since: 'yesterday' }), 'INVALID_FILTER')
      await expectCode(audit.logs({ cursor: 'garbage' }), 'INVALID_FILTER')
      await expectCode(audit.logs({ action: "x' OR 1=1 --" }), 'INVALID_FILTER')
      await expectCode(audit.logs({ tabel: 'users' } as never), 'INVALID_FILTER')
      await expectCode(audit.table('memberships').history(1), 'INVALID_FILTER')
      await expectCode(audit.restore(0), 'INVALID_FILTER')
      await expectCode(audit.restore(999), 'NOT_FOUND')
    })

    it('values that look like SQL are stored as values', async () => {
      const f = await start()
      const evil = `'); DROP TABLE users; --`
      await f.client.insert('orders', [
        { order_id: evil, user_id: 1, total: 1, status: '"; DELETE FROM audit_logs' },
      ])
      const { items } = await f.client.audit.logs({ entityId: evil })
      expect(items[0]?.newValues?.status).toBe('"; DELETE FROM audit_logs')
      expect(await f.count('users')).toBe(0)
    })

    it('identifiers with quotes or semicolons are rejected before any SQL exists', async () => {
      const db = await createTestDatabase(kind)
      try {
        for (const tables of [
          { 'users"; DROP TABLE x; --': {} },
          { users: { primaryKey: "id'" } },
        ]) {
          await expectCode(() => factory.create(db, { tables } as never), 'INVALID_IDENTIFIER')
        }
        await expectCode(
          () => factory.create(db, { tables: {}, auditTable: 'a;b' }),
          'INVALID_IDENTIFIER',
        )
      } finally {
        await db.drop()
      }
    })

    it('updating an audited primary key is refused before it runs', async () => {
      const f = await start()
      await f.client.insert('orders', [{ order_id: 'a', user_id: 1, total: 1, status: 's' }])
      await expectCode(
        f.client.update('orders', { order_id: 'a' }, { order_id: 'b' }),
        'UNSUPPORTED',
      )
      expect((await f.client.select('orders')).map((r) => r.order_id)).toEqual(['a'])
      const q = getDialect(f.db.dialect).quote
      expect(await f.db.exec(`SELECT COUNT(*) AS n FROM ${q('audit_logs')}`)).toEqual([
        { n: expect.anything() },
      ])
    })

    it('hardening #7: the audit table dropped at runtime gives MISSING_AUDIT_TABLE on writes and on every API call; the write changes nothing', async () => {
      const f = await start()
      const { client, db } = f
      await client.insert('users', [userRow(db.dialect, 1)])
      await db.exec(`DROP TABLE ${getDialect(db.dialect).quote('audit_logs')}`)
      const error = await expectCode(
        client.insert('users', [userRow(db.dialect, 2)]),
        'MISSING_AUDIT_TABLE',
      )
      expect(error.message).toContain('createAuditTable')
      await expectCode(
        client.transaction((tx) => tx.update('users', { score: 1 }, { name: 'x' })),
        'MISSING_AUDIT_TABLE',
      )
      expect((await client.select('users')).map((r) => [r.id, r.name])).toEqual([[1, 'User 1']])
      await expectEveryCode(everyApiCall(client.audit, client), 'MISSING_AUDIT_TABLE')
    })

    it('hardening #7: before the audit table exists, every API call gives MISSING_AUDIT_TABLE', async () => {
      const f = await start({ withAuditTable: false })
      const errors = await expectEveryCode(
        everyApiCall(f.client.audit, f.client),
        'MISSING_AUDIT_TABLE',
      )
      expect(String(errors.get('logs'))).toContain('createAuditTable')
    })

    it('hardening #8: a configured key that is neither the primary key nor a unique index is refused at first use; nothing changes', async () => {
      const f = await start({ tables: { orders: { primaryKey: 'total' } } })
      const error = await expectCode(
        f.client.insert('orders', [
          { order_id: 'a', user_id: 1, total: 5, status: 's' },
          { order_id: 'b', user_id: 1, total: 5, status: 's' },
        ]),
        'MISSING_PRIMARY_KEY',
      )
      expect(error.message).toMatch(/orders/)
      expect(error.message).toMatch(/unique index/)
      expect(await f.count('orders')).toBe(0)
      expect(await f.count('audit_logs')).toBe(0)
    })

    it('hardening #8: a unique index (or the primary key in another column order) is accepted as the key', async () => {
      const f = await start({
        tables: {
          users: { primaryKey: 'email' },
          memberships: { primaryKey: ['org_id', 'user_id'] },
        },
      })
      await f.client.insert('users', [userRow(f.db.dialect, 1)])
      await f.client.insert('memberships', [{ user_id: 1, org_id: 2, role: 'r' }])
      const { items } = await f.client.audit.logs()
      expect(items.map((e) => e.entityId)).toEqual(['[2,1]', 'user1@example.com'])
    })

    it('hardening #8: a NULL key value is refused before an entry "null" is written; nothing changes', async () => {
      const f = await start()
      // SQLite accepts NULL in a non-INTEGER primary key; the other databases refuse the write themselves.
      const error = await f.client
        .insert('orders', [{ order_id: null, user_id: 1, total: 1, status: 's' }])
        .then(
          () => undefined,
          (e: unknown) => e,
        )
      expect(error).toBeInstanceOf(Error)
      if (kind === 'sqlite') expect(isChronicleError(error, 'MISSING_PRIMARY_KEY')).toBe(true)
      expect(await f.count('orders')).toBe(0)
      expect(await f.count('audit_logs')).toBe(0)
    })

    it('hardening #9: audit.log refuses a targetId or targetType that is not a scalar with INVALID_EVENT; nothing is written', async () => {
      const f = await start()
      const { client } = f
      const bad = [
        { targetId: { a: 1 } },
        { targetId: [1] },
        { targetId: true },
        { targetId: Number.NaN },
        { targetType: 5 },
      ]
      for (const fields of bad) {
        await expectCode(
          client.log({ action: 'billing.plan.changed', ...fields } as never),
          'INVALID_EVENT',
        )
        await expectCode(
          client.transaction((tx) =>
            tx.log({ action: 'billing.plan.changed', ...fields } as never),
          ),
          'INVALID_EVENT',
        )
      }
      expect(await f.count('audit_logs')).toBe(0)
      await client.log({ action: 'billing.plan.changed', targetType: 'org', targetId: 10n })
      await client.log({ action: 'billing.plan.changed', targetType: 'org', targetId: 7 })
      await client.log({ action: 'billing.plan.changed', targetType: 'org', targetId: 'o-1' })
      const { items } = await client.audit.logs()
      expect(items.map((e) => e.entityId)).toEqual(['o-1', '7', '10'])
    })

    it('hardening #11: a database failure in any API call is a ChronicleError DATABASE_ERROR with the driver error as cause', async () => {
      const f = await start()
      const { client, db } = f
      await client.insert('users', [userRow(db.dialect, 1)])
      const q = getDialect(db.dialect).quote
      await db.exec(
        `ALTER TABLE ${q('audit_logs')} RENAME COLUMN ${q('actor_id')} TO ${q('actor')}`,
      )
      const errors = await expectEveryCode(everyApiCall(client.audit, client), 'DATABASE_ERROR')
      for (const [name, error] of errors) {
        expect((error as Error).cause, name).toBeInstanceOf(Error)
        expect(isChronicleError((error as Error).cause), name).toBe(false)
      }
    })

    it("hardening #11: the user's own failing write keeps the driver's error", async () => {
      const f = await start()
      await f.client.insert('users', [userRow(f.db.dialect, 1)])
      const error = await f.client.insert('users', [userRow(f.db.dialect, 1)]).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(error).toBeInstanceOf(Error)
      expect(isChronicleError(error)).toBe(false)
      expect(await f.count('audit_logs')).toBe(1)
    })
  })
}
