import { getDialect } from '@chronicle/core/adapter'
import { describe, expect, it } from 'vitest'
import type { AdapterFactory } from '../adapter.js'
import type { DatabaseKind, TestDatabase } from '../databases.js'
import { userRow } from '../schema.js'
import { useFixture } from '../setup.js'

/** Makes the audit table refuse entries for one entity id: the audit insert fails, not the write. */
export async function rejectAuditFor(db: TestDatabase, entityId: string): Promise<void> {
  const q = getDialect(db.dialect).quote
  // Only new entries are refused: entries already written for this entity stay valid.
  if (db.dialect === 'sqlite') {
    await db.exec(
      `CREATE TRIGGER reject_audit BEFORE INSERT ON audit_logs WHEN NEW.entity_id = '${entityId}' BEGIN SELECT RAISE(ABORT, 'audit rejected'); END`,
    )
  } else if (db.dialect === 'postgres') {
    await db.exec(
      `ALTER TABLE ${q('audit_logs')} ADD CONSTRAINT reject_audit CHECK (${q('entity_id')} <> '${entityId}') NOT VALID`,
    )
  } else {
    await db.exec(
      `CREATE TRIGGER reject_audit BEFORE INSERT ON audit_logs FOR EACH ROW BEGIN IF NEW.entity_id = '${entityId}' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit rejected'; END IF; END`,
    )
  }
}

export function transactionsSuite(factory: AdapterFactory, kind: DatabaseKind) {
  describe('transactions', () => {
    const start = useFixture(factory, kind)

    it('writes in a committed transaction share its transaction id', async () => {
      const f = await start()
      const { client, db } = f
      await client.transaction(async (tx) => {
        await tx.insert('users', [userRow(db.dialect, 1)])
        await tx.update('users', { score: 1 }, { name: 'in tx' })
        await tx.insert('orders', [{ order_id: 'o1', user_id: 1, total: 5, status: 'new' }])
      })
      const entries = (await client.audit.logs({})).items
      expect(entries).toHaveLength(3)
      expect(new Set(entries.map((e) => e.transactionId)).size).toBe(1)
    })

    it('a rolled-back transaction leaves neither rows nor entries', async () => {
      const f = await start()
      const { client, db, count } = f
      await client.insert('users', [userRow(db.dialect, 1)])
      await expect(
        client.transaction(async (tx) => {
          await tx.insert('users', [userRow(db.dialect, 2)])
          await tx.update('users', { score: 1 }, { name: 'lost' })
          await tx.delete('users', { score: 1 })
          throw new Error('boom')
        }),
      ).rejects.toThrow('boom')
      expect(await count('users')).toBe(1)
      expect(await count('audit_logs')).toBe(1)
    })

    it('entries written in a rolled-back savepoint are gone; the rest commit', async () => {
      const f = await start()
      const { client, db } = f
      await client.transaction(async (tx) => {
        await tx.insert('users', [userRow(db.dialect, 1)])
        await expect(
          tx.savepoint(async (sp) => {
            await sp.insert('users', [userRow(db.dialect, 2)])
            throw new Error('undo savepoint')
          }),
        ).rejects.toThrow('undo savepoint')
        await tx.savepoint((sp) => sp.insert('users', [userRow(db.dialect, 3)]))
      })
      const emails = (await client.audit.logs({})).items.map((e) => e.newValues?.email)
      expect(emails).toEqual(['user3@example.com', 'user1@example.com'])
      expect((await client.select('users')).map((r) => r.email)).toEqual([
        'user1@example.com',
        'user3@example.com',
      ])
    })

    it('when the audit insert fails, the write fails and nothing changes (standalone)', async () => {
      const f = await start()
      const { client, db, count } = f
      await client.insert('users', [userRow(db.dialect, 1)])
      const [row] = await client.select('users')
      await rejectAuditFor(db, String(row?.id))
      await expect(client.update('users', { score: 1 }, { name: 'never' })).rejects.toThrow()
      await expect(client.delete('users', { score: 1 })).rejects.toThrow()
      expect((await client.select('users'))[0]?.name).toBe('User 1')
      expect(await count('audit_logs')).toBe(1)
    })

    it('when the audit insert fails inside a transaction, the transaction fails whole', async () => {
      const f = await start()
      const { client, db, count } = f
      await client.insert('orders', [{ order_id: 'ok', user_id: 1, total: 1, status: 'new' }])
      await rejectAuditFor(db, 'bad')
      await expect(
        client.transaction(async (tx) => {
          await tx.update('orders', { order_id: 'ok' }, { status: 'paid' })
          await tx.insert('orders', [{ order_id: 'bad', user_id: 1, total: 1, status: 'new' }])
        }),
      ).rejects.toThrow()
      expect((await client.select('orders')).map((r) => r.status)).toEqual(['new'])
      expect(await count('audit_logs')).toBe(1)
    })
  })
}
