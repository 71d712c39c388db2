import { isChronicleError, withAuditContext } from '@chronicle/core'
import { describe, expect, it } from 'vitest'
import type { AdapterFactory } from '../adapter.js'
import type { DatabaseKind } from '../databases.js'
import { userRow } from '../schema.js'
import { useFixture } from '../setup.js'

export function eventsSuite(factory: AdapterFactory, kind: DatabaseKind) {
  describe('events', () => {
    const start = useFixture(factory, kind)

    it('audit.log writes an event with the context; action prefixes find a whole domain', async () => {
      const f = await start()
      const { client } = f
      await withAuditContext(
        { actorId: 'u1', ipAddress: '10.1.1.1', metadata: { requestId: 'r9' } },
        async () => {
          await client.log({
            action: 'billing.plan.changed',
            targetType: 'organization',
            targetId: 7,
            metadata: { planId: 'pro' },
          })
          await client.log({ action: 'billing.checkout.created' })
          await client.log({ action: 'billingx.other.thing' })
          await client.log({ action: 'team.member.invited', actorId: 'admin' })
        },
      )
      const billing = (await client.audit.logs({ action: 'billing' })).items
      expect(billing.map((e) => e.action)).toEqual([
        'billing.checkout.created',
        'billing.plan.changed',
      ])
      expect((await client.audit.logs({ action: 'billing.*' })).items).toHaveLength(2)
      expect((await client.audit.logs({ action: 'billing.plan.changed' })).items).toHaveLength(1)
      const [plan] = billing.slice(-1)
      expect(plan).toMatchObject({
        tableName: 'organization',
        entityId: '7',
        actorId: 'u1',
        ipAddress: '10.1.1.1',
        metadata: { requestId: 'r9', planId: 'pro' },
        oldValues: null,
        newValues: null,
      })
      expect((await client.audit.logs({ action: 'team' })).items[0]?.actorId).toBe('admin')
    })

    it('an event written in a transaction shares its id, and vanishes when it rolls back', async () => {
      const f = await start()
      const { client, db } = f
      await client.transaction(async (tx) => {
        await tx.insert('users', [userRow(db.dialect, 1)])
        await tx.log({ action: 'user.signup.completed', targetType: 'users' })
      })
      await expect(
        client.transaction(async (tx) => {
          await tx.log({ action: 'user.signup.completed' })
          throw new Error('rolled back')
        }),
      ).rejects.toThrow('rolled back')
      const entries = (await client.audit.logs({})).items
      expect(entries.map((e) => e.action)).toEqual(['user.signup.completed', 'INSERT'])
      expect(entries[0]?.transactionId).toBe(entries[1]?.transactionId)
    })

    it('invalid action names fail with INVALID_ACTION and write nothing', async () => {
      const f = await start()
      for (const action of ['billing', 'UPDATE', 'Billing.Plan', 'billing..x', "x.y'; --", '']) {
        const error = await f.client.log({ action }).catch((e: unknown) => e)
        expect(isChronicleError(error, 'INVALID_ACTION'), action).toBe(true)
      }
      expect(await f.count('audit_logs')).toBe(0)
    })
  })
}
