import { isChronicleError } from '@chronicle/core'
import { getDialect } from '@chronicle/core/adapter'
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

    it('restore and diff never write or reveal a value the snapshot holds redacted, whatever the config says now', async () => {
      const f = await start()
      const { client, db } = f
      await client.insert('orders', [order])
      await client.update('orders', { order_id: 'o1' }, { status: 'paid', total: 12 })
      const [update] = (await client.audit.logs({ action: 'UPDATE' })).items
      const [insert] = (await client.audit.logs({ action: 'INSERT' })).items
      // As if status had been redacted when these entries were written.
      const q = getDialect(db.dialect).quote
      await db.exec(
        `UPDATE ${q('audit_logs')} SET ${q('old_values')} = '{"status":"[REDACTED]","total":10}' WHERE ${q('id')} = ${update?.id}`,
      )
      await db.exec(
        `UPDATE ${q('audit_logs')} SET ${q('new_values')} = '{"order_id":"o1","user_id":1,"total":10,"status":"[REDACTED]"}' WHERE ${q('id')} = ${insert?.id}`,
      )
      const orders = client.audit.table('orders')
      const diff = await orders.diff('o1', { from: insert?.id as number })
      expect(diff.to).toMatchObject({ status: '[REDACTED]', total: 12 })
      expect(diff.changedFields).toEqual(['total'])
      const result = await client.audit.restore(update?.id as number)
      expect(result.skippedColumns).toEqual(['status'])
      expect(result.changes).toEqual([{ field: 'total', from: 12, to: 10 }])
      expect(await client.select('orders')).toEqual([{ ...order, status: 'paid' }])
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

    // MariaDB has no trigger that silently skips a row (SIGNAL fails the statement instead).
    it.skipIf(kind === 'mariadb')(
      'hardening #8: restore and revertTransaction change exactly the one row they name, else CONFLICT and nothing changes',
      async () => {
        const f = await start()
        const { client, db } = f
        await client.insert('orders', [order])
        await client.update('orders', { order_id: 'o1' }, { total: 11 })
        const [update, insertion] = (await client.audit.logs()).items
        // A trigger that skips the row: the statement runs and changes no row.
        if (kind === 'sqlite') {
          await db.exec(
            'CREATE TRIGGER orders_keep BEFORE DELETE ON orders BEGIN SELECT RAISE(IGNORE); END',
          )
          await db.exec(
            'CREATE TRIGGER orders_fixed BEFORE UPDATE ON orders BEGIN SELECT RAISE(IGNORE); END',
          )
        } else {
          await db.exec(
            'CREATE FUNCTION chronicle_skip() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$',
          )
          await db.exec(
            'CREATE TRIGGER orders_keep BEFORE DELETE OR UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION chronicle_skip()',
          )
        }
        for (const attempt of [
          () => client.audit.restore(insertion?.id as number),
          () => client.audit.restore(update?.id as number),
          () => client.audit.revertTransaction(insertion?.transactionId as string, { force: true }),
          () => client.audit.revertTransaction(update?.transactionId as string),
        ]) {
          const error = await attempt().catch((e: unknown) => e)
          expect(isChronicleError(error, 'CONFLICT'), String(error)).toBe(true)
        }
        expect(await client.select('orders')).toEqual([{ ...order, total: 11 }])
        expect(await f.count('audit_logs')).toBe(2)
      },
    )

    it('hardening #8: restore refuses an entry whose configured key is not unique; nothing changes', async () => {
      const f = await start({ tables: { orders: { primaryKey: 'order_id' } } })
      const { client } = f
      const twin = { ...order, order_id: 'o2' }
      await client.insert('orders', [order, twin])
      const insertion = (await client.audit.logs()).items.find((e) => e.entityId === 'o1')
      // A second audit of the same database, misconfigured: `total` is not unique.
      const other = await factory.create(f.db, { tables: { orders: { primaryKey: 'total' } } })
      try {
        const error = await other.audit.restore(insertion?.id as number).catch((e: unknown) => e)
        expect(isChronicleError(error, 'MISSING_PRIMARY_KEY'), String(error)).toBe(true)
      } finally {
        // On SQLite both share the fixture's handle, which the fixture closes.
        if (kind !== 'sqlite') await other.destroy()
      }
      expect(await client.select('orders')).toEqual([order, twin])
      expect(await f.count('audit_logs')).toBe(2)
    })
  })
}
