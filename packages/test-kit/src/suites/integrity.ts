import { setTimeout as sleep } from 'node:timers/promises'
import { getDialect } from '@chronicle/core'
import { describe, expect, it } from 'vitest'
import type { AdapterFactory, AuditedClient } from '../adapter.js'
import type { DatabaseKind } from '../databases.js'
import { defaultTables, userRow } from '../schema.js'
import { useFixture } from '../setup.js'

/** A writer that runs transactions (some rolled back) with pauses, so two of them interleave. */
async function writer(client: AuditedClient, name: string, rounds: number) {
  for (let i = 0; i < rounds; i++) {
    const run = client.transaction(async (tx) => {
      await tx.insert('orders', [{ order_id: `${name}-${i}`, user_id: i, total: i, status: 'new' }])
      await sleep(Math.random() * 4)
      await tx.update('orders', { order_id: `${name}-${i}` }, { status: 'paid' })
      if (i % 4 === 3) throw new Error('rollback')
    })
    await run.catch((error: Error) => {
      if (error.message !== 'rollback') throw error
    })
  }
}

export function integritySuite(factory: AdapterFactory, kind: DatabaseKind) {
  describe('integrity', () => {
    const start = useFixture(factory, kind)

    it('verify names each edited, deleted and reordered entry', async () => {
      const f = await start()
      const { client, db } = f
      for (let i = 1; i <= 6; i++) await client.insert('users', [userRow(db.dialect, i)])
      expect(await client.audit.seal({ sealDelayMs: 0 })).toEqual({ sealed: 6, through: 6 })
      expect(await client.audit.verify()).toMatchObject({
        ok: true,
        checked: 6,
        unsealed: 0,
        broken: [],
      })
      const q = getDialect(db.dialect).quote
      await db.exec(
        `UPDATE ${q('audit_logs')} SET ${q('actor_id')} = 'mallory' WHERE ${q('id')} = 2`,
      )
      await db.exec(`DELETE FROM ${q('audit_logs')} WHERE ${q('id')} = 3`)
      for (const [from, to] of [
        [4, 1000],
        [5, 4],
        [1000, 5],
      ]) {
        await db.exec(`UPDATE ${q('audit_logs')} SET ${q('id')} = ${to} WHERE ${q('id')} = ${from}`)
      }
      const result = await client.audit.verify()
      expect(result.ok).toBe(false)
      expect(result.broken).toEqual([
        { id: 2, reason: 'edited' },
        { id: 3, reason: 'deleted' },
        { id: 4, reason: 'reordered' },
        { id: 5, reason: 'reordered' },
      ])
    })

    it('an edit that also rewrites the hash is caught by the chain; unsealed entries are checked for edits', async () => {
      const f = await start()
      const { client, db } = f
      await client.insert('users', [userRow(db.dialect, 1), userRow(db.dialect, 2)])
      await client.audit.seal({ sealDelayMs: 0 })
      await client.insert('users', [userRow(db.dialect, 3)])
      const q = getDialect(db.dialect).quote
      await db.exec(
        `UPDATE ${q('audit_logs')} SET ${q('hash')} = '${'f'.repeat(64)}' WHERE ${q('id')} = 1`,
      )
      await db.exec(`UPDATE ${q('audit_logs')} SET ${q('actor_id')} = 'x' WHERE ${q('id')} = 3`)
      const result = await client.audit.verify()
      expect(result).toMatchObject({ ok: false, unsealed: 1 })
      expect(result.broken).toEqual([
        { id: 1, reason: 'edited' },
        { id: 3, reason: 'edited' },
      ])
    })

    it.skipIf(kind === 'sqlite')(
      'two connections writing concurrently still produce a valid chain',
      async () => {
        // SQLite has one writer at a time by design: there is no concurrency to test there.
        const f = await start()
        const other = await factory.create(f.db, { tables: defaultTables })
        try {
          const sealing = (async () => {
            for (let i = 0; i < 5; i++) {
              await f.client.audit.seal({ sealDelayMs: 60_000 })
              await sleep(5)
            }
          })()
          await Promise.all([writer(f.client, 'a', 16), writer(other, 'b', 16), sealing])
          await f.client.audit.seal({ sealDelayMs: 0 })
          const result = await f.client.audit.verify()
          expect(result.broken).toEqual([])
          expect(result).toMatchObject({ ok: true, unsealed: 0, checked: 48 })
        } finally {
          await other.destroy()
        }
      },
    )

    it.skipIf(kind === 'sqlite')(
      'sealing waits for a transaction still in flight instead of sealing past it',
      async () => {
        const f = await start()
        const other = await factory.create(f.db, { tables: defaultTables })
        try {
          let release!: () => void
          const held = new Promise<void>((resolve) => {
            release = resolve
          })
          let started!: () => void
          const begun = new Promise<void>((resolve) => {
            started = resolve
          })
          const slow = f.client.transaction(async (tx) => {
            await tx.insert('orders', [{ order_id: 'slow', user_id: 1, total: 1, status: 'new' }])
            started()
            await held
          })
          await begun
          await other.insert('orders', [{ order_id: 'fast', user_id: 2, total: 2, status: 'new' }])
          expect((await f.client.audit.seal({ sealDelayMs: 60_000 })).sealed).toBe(0)
          release()
          await slow
          expect((await f.client.audit.seal({ sealDelayMs: 60_000 })).sealed).toBe(2)
          expect(await f.client.audit.verify()).toMatchObject({ ok: true, unsealed: 0 })
        } finally {
          await other.destroy()
        }
      },
    )
  })
}
