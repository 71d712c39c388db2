import { REDACTED, withAuditContext } from '@chronicle/core'
import { describe, expect, it } from 'vitest'
import type { AdapterFactory } from '../adapter.js'
import type { DatabaseKind } from '../databases.js'
import { userRow } from '../schema.js'
import { useFixture } from '../setup.js'

export function captureSuite(factory: AdapterFactory, kind: DatabaseKind) {
  describe('capture', () => {
    const start = useFixture(factory, kind)

    it('an insert writes one INSERT entry whose snapshot round-trips every value type', async () => {
      const { client, db } = await start()
      await client.insert('users', [userRow(db.dialect, 1)])
      const [row] = await client.select('users')
      const { items } = await client.audit.logs({ table: 'users' })
      expect(items).toHaveLength(1)
      const [entry] = items
      expect(entry?.action).toBe('INSERT')
      expect(entry?.entityId).toBe(String(row?.id))
      expect(entry?.oldValues).toBeNull()
      expect(entry?.newValues).toEqual({ ...row, password_hash: REDACTED })
      expect(entry?.hash).toMatch(/^[0-9a-f]{64}$/)
      expect(entry?.transactionId).toMatch(/.{8,}/)
      expect(entry?.createdAt).toBeInstanceOf(Date)
    })

    it('an update records changed fields, their prior values and the whole new row', async () => {
      const { client, db } = await start()
      await client.insert('users', [userRow(db.dialect, 1)])
      await client.update(
        'users',
        { email: 'user1@example.com' },
        { name: 'Ada', score: { increment: 5 } },
      )
      const [row] = await client.select('users')
      const [update] = (await client.audit.logs({ action: 'UPDATE' })).items
      expect(update?.changedFields.sort()).toEqual(['name', 'score'])
      expect(update?.oldValues).toEqual({ name: 'User 1', score: 1 })
      expect(update?.newValues).toEqual({ ...row, password_hash: REDACTED })
      expect(row?.score).toBe(6)
    })

    it('an update that changes nothing writes nothing', async () => {
      const { client, db } = await start()
      await client.insert('users', [userRow(db.dialect, 1)])
      await client.update('users', { score: 1 }, { name: 'User 1' })
      expect((await client.audit.logs({})).items.map((e) => e.action)).toEqual(['INSERT'])
    })

    it('a delete records the whole row as it was', async () => {
      const { client, db } = await start()
      await client.insert('users', [userRow(db.dialect, 1)])
      const [row] = await client.select('users')
      expect(await client.delete('users', { id: row?.id })).toBe(1)
      const [entry] = (await client.audit.logs({ action: 'DELETE' })).items
      expect(entry?.oldValues).toEqual({ ...row, password_hash: REDACTED })
      expect(entry?.newValues).toBeNull()
    })

    it('bulk writes by WHERE write one entry per affected row, in one transaction each', async () => {
      const { client, db } = await start()
      await client.insert(
        'users',
        Array.from({ length: 30 }, (_, i) => userRow(db.dialect, i + 1)),
      )
      expect(
        await client.update('users', { score: { gt: 20 } }, { score: { increment: 100 } }),
      ).toBe(10)
      expect(await client.delete('users', { score: { lt: 6 } })).toBe(5)
      const entries = (await client.audit.logs({ limit: 1000 })).items
      const by = (action: string) => entries.filter((e) => e.action === action)
      expect(by('INSERT')).toHaveLength(30)
      expect(new Set(by('INSERT').map((e) => e.transactionId)).size).toBe(1)
      expect(
        by('UPDATE')
          .map((e) => e.newValues?.score)
          .sort(),
      ).toEqual(Array.from({ length: 10 }, (_, i) => 121 + i).sort())
      expect(
        by('DELETE')
          .map((e) => e.oldValues?.score)
          .sort(),
      ).toEqual([1, 2, 3, 4, 5])
      expect(new Set(entries.map((e) => e.transactionId)).size).toBe(3)
    })

    it('an upsert is recorded as INSERT or UPDATE by what happened; unchanged rows write nothing', async () => {
      const { client, db } = await start()
      await client.insert('users', [userRow(db.dialect, 1), userRow(db.dialect, 2)])
      await client.upsert(
        'users',
        [
          userRow(db.dialect, 1, { name: 'Changed' }),
          userRow(db.dialect, 2),
          userRow(db.dialect, 3),
        ],
        ['email'],
        ['name'],
      )
      const entries = (await client.audit.logs({})).items.slice(0, 2)
      const byEmail = Object.fromEntries(entries.map((e) => [String(e.newValues?.email), e]))
      expect(entries).toHaveLength(2)
      expect(byEmail['user1@example.com']?.action).toBe('UPDATE')
      expect(byEmail['user1@example.com']?.changedFields).toEqual(['name'])
      expect(byEmail['user3@example.com']?.action).toBe('INSERT')
    })

    it('an insert that skips existing rows records only the inserted ones', async () => {
      const { client, db } = await start()
      await client.insert('users', [userRow(db.dialect, 1)])
      await client.insertIgnore(
        'users',
        [userRow(db.dialect, 1, { name: 'x' }), userRow(db.dialect, 2)],
        ['email'],
      )
      const actions = (await client.audit.logs({})).items.map((e) => [e.action, e.newValues?.email])
      expect(actions).toEqual([
        ['INSERT', 'user2@example.com'],
        ['INSERT', 'user1@example.com'],
      ])
    })

    it('text and composite primary keys become entity ids', async () => {
      const { client } = await start()
      await client.insert('orders', [{ order_id: 'o-1', user_id: 1, total: 10, status: 'new' }])
      await client.insert('memberships', [{ user_id: 1, org_id: 2, role: 'admin' }])
      await client.update('memberships', { user_id: 1, org_id: 2 }, { role: 'owner' })
      const entries = (await client.audit.logs({})).items
      expect(entries.map((e) => [e.tableName, e.entityId, e.action])).toEqual([
        ['memberships', '[1,2]', 'UPDATE'],
        ['memberships', '[1,2]', 'INSERT'],
        ['orders', 'o-1', 'INSERT'],
      ])
    })

    it('tables not named in options pass through unaudited', async () => {
      const { client, count } = await start()
      await client.insert('notes', [{ body: 'hello' }])
      await client.update('notes', { body: 'hello' }, { body: 'bye' })
      expect(await count('notes')).toBe(1)
      expect(await count('audit_logs')).toBe(0)
    })

    it('an update of ignored columns only writes nothing; with other columns it keeps them', async () => {
      const { client, db } = await start()
      await client.insert('users', [userRow(db.dialect, 1)])
      await client.update('users', { score: 1 }, { updated_at: 't1' })
      expect((await client.audit.logs({ action: 'UPDATE' })).items).toHaveLength(0)
      await client.update('users', { score: 1 }, { updated_at: 't2', name: 'N' })
      const [entry] = (await client.audit.logs({ action: 'UPDATE' })).items
      expect(entry?.changedFields.sort()).toEqual(['name', 'updated_at'])
      expect(entry?.oldValues).toEqual({ name: 'User 1', updated_at: 't1' })
    })

    it('redacted columns never reach the audit table, even when they change', async () => {
      const { client, db, auditRows } = await start()
      await client.insert('users', [userRow(db.dialect, 1)])
      await client.update('users', { score: 1 }, { password_hash: 'new-secret' })
      await client.delete('users', { score: 1 })
      const [, update] = (await client.audit.logs({})).items.reverse()
      expect(update?.changedFields).toEqual(['password_hash'])
      expect(update?.oldValues).toEqual({ password_hash: REDACTED })
      expect(JSON.stringify(await auditRows())).not.toMatch(/secret/)
    })

    it('entries carry withAuditContext merged under the configured context', async () => {
      const { client, db } = await start({
        context: () => ({ actorType: 'user', metadata: { app: 'test' } }),
      })
      await withAuditContext({ actorId: 'u1', actorType: 'system', ipAddress: '10.0.0.1' }, () =>
        withAuditContext({ userAgent: 'vitest', metadata: { requestId: 'r1' } }, () =>
          client.insert('users', [userRow(db.dialect, 1)]),
        ),
      )
      const [entry] = (await client.audit.logs({})).items
      expect(entry).toMatchObject({
        actorId: 'u1',
        actorType: 'user',
        ipAddress: '10.0.0.1',
        userAgent: 'vitest',
        metadata: { requestId: 'r1', app: 'test' },
      })
    })

    it('the RETURNING form returns exactly the caller’s rows', async () => {
      const { client, db } = await start()
      const rows = await client.insertReturning('users', [
        userRow(db.dialect, 1),
        userRow(db.dialect, 2),
      ])
      expect(rows).toHaveLength(2)
      for (const row of rows)
        expect(Object.keys(row).some((k) => k.startsWith('__chronicle'))).toBe(false)
      expect((await client.audit.logs({})).items).toHaveLength(2)
    })
  })
}
