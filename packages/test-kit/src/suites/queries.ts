import { setTimeout as sleep } from 'node:timers/promises'
import { type LogsPage, withAuditContext } from '@chronicle/core'
import { describe, expect, it } from 'vitest'
import type { AdapterFactory } from '../adapter.js'
import type { DatabaseKind } from '../databases.js'
import { userRow } from '../schema.js'
import { useFixture } from '../setup.js'

export function queriesSuite(factory: AdapterFactory, kind: DatabaseKind) {
  describe('queries', () => {
    const start = useFixture(factory, kind)

    it('logs filters by table, entity, actor, action and time, and pages with a cursor', async () => {
      const f = await start()
      const { client, db } = f
      await withAuditContext({ actorId: 'alice' }, () =>
        client.insert(
          'users',
          Array.from({ length: 7 }, (_, i) => userRow(db.dialect, i + 1)),
        ),
      )
      await sleep(5)
      const middle = new Date()
      await sleep(5)
      await withAuditContext({ actorId: 'bob' }, async () => {
        await client.update('users', { score: 3 }, { name: 'Bob was here' })
        await client.insert('orders', [{ order_id: 'o1', user_id: 3, total: 9, status: 'new' }])
      })
      const { audit } = client
      expect((await audit.logs({ table: 'orders' })).items).toHaveLength(1)
      expect((await audit.logs({ actorId: 'alice' })).items).toHaveLength(7)
      expect((await audit.logs({ actorId: 'bob', action: 'UPDATE' })).items).toHaveLength(1)
      expect((await audit.logs({ since: middle })).items).toHaveLength(2)
      expect((await audit.logs({ until: middle })).items).toHaveLength(7)
      const [row] = await client.select('users', { score: 3 })
      expect(
        (await audit.logs({ table: 'users', entityId: String(row?.id) })).items.map(
          (e) => e.action,
        ),
      ).toEqual(['UPDATE', 'INSERT'])
      const seen: number[] = []
      let cursor: string | null = null
      do {
        const page: LogsPage = await audit.logs({ limit: 4, cursor })
        seen.push(...page.items.map((e) => e.id))
        cursor = page.nextCursor
      } while (cursor)
      expect(seen).toHaveLength(9)
      expect([...seen].sort((a, b) => b - a)).toEqual(seen)
    })

    it('history, stateAt, diff and compare rebuild each version of a row', async () => {
      const f = await start()
      const { client, db } = f
      await client.insert('users', [userRow(db.dialect, 1)])
      const [v1] = await client.select('users')
      await sleep(5)
      const afterV1 = new Date()
      await sleep(5)
      await client.update('users', { score: 1 }, { name: 'Second' })
      const [v2] = await client.select('users')
      await client.update('users', { score: 1 }, { name: 'Third', score: 3 })
      const users = client.audit.table('users')
      const history = await users.history(v1?.id as number)
      expect(history.map((e) => e.action)).toEqual(['UPDATE', 'UPDATE', 'INSERT'])
      expect((await users.history(v1?.id as number, { order: 'asc', limit: 1 }))[0]?.action).toBe(
        'INSERT',
      )
      const [third, second, first] = history
      const redacted = (row: unknown) => ({ ...(row as object), password_hash: '[REDACTED]' })
      expect(await users.stateAt(v1?.id as number, { auditId: first?.id ?? 0 })).toEqual(
        redacted(v1),
      )
      expect(await users.stateAt(v1?.id as number, { auditId: second?.id ?? 0 })).toEqual(
        redacted(v2),
      )
      expect(await users.stateAt(v1?.id as number, afterV1)).toEqual(redacted(v1))
      expect(await users.stateAt(v1?.id as number, new Date(0))).toBeNull()
      const diff = await users.diff(v1?.id as number, {
        from: first?.id as number,
        to: third?.id as number,
      })
      expect(diff.changedFields.sort()).toEqual(['name', 'score'])
      expect(diff.patch).toEqual(
        expect.arrayContaining([
          { op: 'replace', path: '/name', value: 'Third' },
          { op: 'replace', path: '/score', value: 3 },
        ]),
      )
      const toNow = await users.diff(v1?.id as number, { from: second?.id as number })
      expect(toNow.changedFields.sort()).toEqual(['name', 'score'])
      expect(JSON.stringify(toNow)).not.toContain('secret')
      const compared = await client.audit.compare(first?.id as number, second?.id as number)
      expect(compared.changedFields).toEqual(['name'])
      expect(compared.from).toEqual(redacted(v1))
    })
  })
}
