import { getDialect, isChronicleError } from '@chronicle/core'
import { describe, expect, it } from 'vitest'
import type { AdapterFactory } from '../adapter.js'
import type { DatabaseKind } from '../databases.js'
import { useFixture } from '../setup.js'

const order = { order_id: 'o1', user_id: 1, total: 10, status: 'new' }

export function restoreSuite(factory: AdapterFactory, kind: DatabaseKind) {
  describe('restore', () => {
    const start = useFixture(factory, kind)

    it('undoes an update, audits the restore, and a dry run changes nothing', async () => {
      const f = await start()
      const { client } = f
      await client.insert('orders', [order])
      await client.update('orders', { order_id: 'o1' }, { status: 'paid', total: 12 })
      const [update] = (await client.audit.logs({ action: 'UPDATE' })).items
      const preview = await client.audit.restore(update?.id as number, { dryRun: true })
      expect(preview.applied).toBe(false)
      expect(preview.changes).toEqual(
        expect.arrayContaining([
          { field: 'status', from: 'paid', to: 'new' },
          { field: 'total', from: 12, to: 10 },
        ]),
      )
      expect((await client.select('orders'))[0]?.status).toBe('paid')
      const result = await client.audit.restore(update?.id as number)
      expect(result.applied).toBe(true)
      expect(await client.select('orders')).toEqual([order])
      const [restoreEntry] = (await client.audit.logs({})).items
      expect(restoreEntry?.action).toBe('UPDATE')
      expect(restoreEntry?.metadata).toEqual({ restoredFrom: update?.id })
      expect((await client.audit.restore(update?.id as number)).applied).toBe(false)
    })

    it('undeletes a deleted row and deletes an inserted one', async () => {
      const f = await start()
      const { client } = f
      await client.insert('orders', [order])
      await client.delete('orders', { order_id: 'o1' })
      const [deletion] = (await client.audit.logs({ action: 'DELETE' })).items
      await client.audit.restore(deletion?.id as number)
      expect(await client.select('orders')).toEqual([order])
      const [insertion] = (await client.audit.logs({ action: 'INSERT' })).items.slice(-1)
      await client.audit.restore(insertion?.id as number)
      expect(await client.select('orders')).toEqual([])
      await client.audit.restore(insertion?.id as number, { to: 'after' })
      expect(await client.select('orders')).toEqual([order])
      expect((await client.audit.logs({})).items.map((e) => e.action).slice(0, 3)).toEqual([
        'INSERT',
        'DELETE',
        'INSERT',
      ])
    })

    it('refuses to restore a column the table no longer has, unless allowDrift', async () => {
      const f = await start()
      const { client, db } = f
      await client.insert('orders', [order])
      await client.delete('orders', { order_id: 'o1' })
      const [deletion] = (await client.audit.logs({ action: 'DELETE' })).items
      const q = getDialect(db.dialect).quote
      await db.exec(`ALTER TABLE ${q('orders')} DROP COLUMN ${q('status')}`)
      const error = await client.audit.restore(deletion?.id as number).catch((e: unknown) => e)
      expect(isChronicleError(error, 'SCHEMA_DRIFT')).toBe(true)
      expect(await f.count('orders')).toBe(0)
      const result = await client.audit.restore(deletion?.id as number, { allowDrift: true })
      expect(result.droppedColumns).toEqual(['status'])
      expect(await db.exec(`SELECT order_id, total FROM ${q('orders')}`)).toEqual([
        { order_id: 'o1', total: 10 },
      ])
    })
  })
}
