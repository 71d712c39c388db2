import { isChronicleError, withAuditContext } from '@chronicle/core'
import { describe, expect, it } from 'vitest'
import type { AdapterFactory } from '../adapter.js'
import type { DatabaseKind } from '../databases.js'
import { userRow } from '../schema.js'
import { useFixture } from '../setup.js'
import { seedOrders } from './bulk.js'
import { rejectAuditFor } from './transactions.js'

/**
 * A change commits if and only if its entries commit, whatever the application does after
 * an audit failure. MySQL and SQLite undo only the failed statement, so catching the error
 * and committing must not keep the change.
 */
export function faultsSuite(factory: AdapterFactory, kind: DatabaseKind) {
  describe('faults', () => {
    const start = useFixture(factory, kind)

    it('[1] a failed audit insert fails the write with AUDIT_FAILED, the driver error as cause', async () => {
      const f = await start()
      await f.client.insert('orders', [{ order_id: 'a', user_id: 1, total: 1, status: 'new' }])
      await rejectAuditFor(f.db, 'a')
      const error = await f.client
        .update('orders', { order_id: 'a' }, { status: 'paid' })
        .catch((e: unknown) => e)
      expect(isChronicleError(error, 'AUDIT_FAILED')).toBe(true)
      expect((error as Error).cause).toBeDefined()
    })

    it('[1] a caught audit failure inside a transaction cannot commit the change without its entries', async () => {
      const f = await start()
      await f.client.insert('orders', [{ order_id: 'a', user_id: 1, total: 1, status: 'new' }])
      await rejectAuditFor(f.db, 'a')
      await expect(
        f.client.transaction(async (tx) => {
          await tx.update('orders', { order_id: 'a' }, { status: 'paid' }).catch(() => undefined)
          await tx.insert('orders', [{ order_id: 'b', user_id: 1, total: 1, status: 'new' }])
        }),
      ).rejects.toThrow()
      expect((await f.client.select('orders')).map((r) => [r.order_id, r.status])).toEqual([
        ['a', 'new'],
      ])
      expect(await f.count('audit_logs')).toBe(1)
    })

    it('[1] an actorId too long for the audit table, caught, does not commit the change', async () => {
      const f = await start()
      await f.client.insert('orders', [{ order_id: 'a', user_id: 1, total: 1, status: 'new' }])
      // Fails wherever the audit table cannot hold it; where it can, the entry must be exact.
      const actorId = 'x'.repeat(70_000)
      await f.client
        .transaction(async (tx) => {
          await withAuditContext({ actorId }, () =>
            tx.update('orders', { order_id: 'a' }, { total: 2 }),
          ).catch(() => undefined)
        })
        .catch(() => undefined)
      const [order] = await f.client.select('orders')
      const entries = (await f.client.audit.logs({ table: 'orders', action: 'UPDATE' })).items
      if (order?.total === 2) expect(entries.map((e) => e.actorId)).toEqual([actorId])
      else expect(entries).toEqual([])
    })

    it('[1] rolling back to a savepoint taken before the failed write lets the rest commit', async () => {
      const f = await start()
      await f.client.insert('orders', [{ order_id: 'a', user_id: 1, total: 1, status: 'new' }])
      await rejectAuditFor(f.db, 'a')
      await f.client.transaction(async (tx) => {
        await tx.insert('orders', [{ order_id: 'b', user_id: 1, total: 1, status: 'new' }])
        await expect(
          tx.savepoint((sp) => sp.update('orders', { order_id: 'a' }, { status: 'paid' })),
        ).rejects.toThrow()
      })
      expect((await f.client.select('orders')).map((r) => [r.order_id, r.status])).toEqual([
        ['a', 'new'],
        ['b', 'new'],
      ])
      const entries = (await f.client.audit.logs({ table: 'orders' })).items
      expect(entries.map((e) => [e.action, e.entityId])).toEqual([
        ['INSERT', 'b'],
        ['INSERT', 'a'],
      ])
    })

    it('[1] a bulk update whose last audit chunk fails, caught inside a transaction, commits none of it', async () => {
      const f = await start()
      const rows = 5_000
      await seedOrders(f.db, rows)
      await rejectAuditFor(f.db, `o${rows - 1}`)
      await expect(
        f.client.transaction(async (tx) => {
          await tx.update('orders', {}, { status: 'paid' }).catch(() => undefined)
          await tx.insert('users', [userRow(f.db.dialect, 1)])
        }),
      ).rejects.toThrow()
      expect(await f.client.select('orders', { status: 'paid' })).toEqual([])
      expect(await f.count('users')).toBe(0)
      expect(await f.count('audit_logs')).toBe(0)
    })
  })
}
