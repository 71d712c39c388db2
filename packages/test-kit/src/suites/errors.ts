import { type ChronicleErrorCode, getDialect, isChronicleError } from '@chronicle/core'
import { describe, expect, it } from 'vitest'
import type { AdapterFactory } from '../adapter.js'
import { createTestDatabase, type DatabaseKind } from '../databases.js'
import { userRow } from '../schema.js'
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
  })
}
