import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { SealResult } from '@chronicle/core'
import { createAuditTable, getDialect } from '@chronicle/core/adapter'
import { describe, expect, it } from 'vitest'
import type { AdapterFactory, AuditedClient, ClientSettings } from '../adapter.js'
import { type DatabaseKind, openSqlite } from '../databases.js'
import { createFixtureTables, defaultTables, userRow } from '../schema.js'
import { rawConnection, useFixture } from '../setup.js'

type Hook = NonNullable<ClientSettings['beforeQuery']>

/**
 * Two handles on one SQLite file, as two processes have: an app that writes and a sealer.
 * `hooks` run before each statement of either, to force an interleaving.
 */
async function twoConnections(factory: AdapterFactory, journalMode: 'delete' | 'wal') {
  const dir = await mkdtemp(join(tmpdir(), 'chronicle-seal-'))
  const file = join(dir, 'app.db')
  const appDb = openSqlite(file)
  appDb.sqlite?.pragma(`journal_mode = ${journalMode}`)
  await createFixtureTables(appDb)
  await createAuditTable(rawConnection(appDb), getDialect('sqlite'))
  // A short busy timeout keeps the sealer's wait on a lock held across the hook brief.
  const sealerDb = openSqlite(file, { timeout: 50 })
  const hooks: { app?: Hook; sealer?: Hook } = {}
  const app = await factory.create(
    appDb,
    { tables: defaultTables },
    { beforeQuery: (sql) => hooks.app?.(sql) },
  )
  const sealer = await factory.create(
    sealerDb,
    { tables: defaultTables },
    { beforeQuery: (sql) => hooks.sealer?.(sql) },
  )
  return {
    app,
    sealer,
    hooks,
    async close() {
      await app.destroy()
      await sealer.destroy()
      await appDb.drop()
      await sealerDb.drop()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

const order = (id: string) => ({ order_id: id, user_id: 1, total: 1, status: 'new' })

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
      expect(await client.audit.seal({ sealDelayMs: 0 })).toMatchObject({ sealed: 6, through: 6 })
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

    it('verify with the head seal returned fails once the chain is rewritten end to end', async () => {
      const f = await start()
      const { client, db } = f
      for (let i = 1; i <= 3; i++) await client.insert('users', [userRow(db.dialect, i)])
      const { head } = await client.audit.seal({ sealDelayMs: 0 })
      expect(head).toMatch(/^[0-9a-f]{64}$/)
      expect(await client.audit.verify({ head: head ?? '' })).toMatchObject({
        ok: true,
        head,
        headFound: true,
      })
      await client.insert('users', [userRow(db.dialect, 4)])
      await client.audit.seal({ sealDelayMs: 0 })
      expect(await client.audit.verify({ head: head ?? '' })).toMatchObject({ ok: true })
      // Rewrite the whole history: a self-consistent chain the stored head does not lie on.
      const q = getDialect(db.dialect).quote
      await db.exec(`DELETE FROM ${q('audit_logs_chain')}`)
      await db.exec(`DELETE FROM ${q('audit_logs')}`)
      await client.insert('users', [userRow(db.dialect, 5)])
      await client.audit.seal({ sealDelayMs: 0 })
      expect(await client.audit.verify()).toMatchObject({ ok: true, headFound: null })
      expect(await client.audit.verify({ head: head ?? '' })).toMatchObject({
        ok: false,
        broken: [],
        headFound: false,
      })
      await expect(client.audit.verify({ head: 'nope' })).rejects.toMatchObject({
        code: 'INVALID_FILTER',
      })
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

    it.skipIf(factory.synchronousTransactions?.includes(kind))(
      'a seal overlapping a transaction that then rolls back never seals its entries',
      async () => {
        let hook: Hook | undefined
        const f = await start({ beforeQuery: (sql) => hook?.(sql) })
        const { client } = f
        let sealing: Promise<SealResult> | undefined
        let atInsert!: () => void
        const sealerAtInsert = new Promise<void>((resolve) => {
          atInsert = resolve
        })
        let rolledBack!: () => void
        const done = new Promise<void>((resolve) => {
          rolledBack = resolve
        })
        hook = async (sql) => {
          if (/^insert into [`"]audit_logs_chain[`"]/i.test(sql)) {
            // The sealer has read its batch; the transaction rolls back before it appends.
            atInsert()
            await done
          }
        }
        await client
          .transaction(async (tx) => {
            await tx.insert('orders', [order('gone')])
            sealing = client.audit.seal({ sealDelayMs: 0 })
            await Promise.race([sealerAtInsert, sealing])
            throw new Error('rollback')
          })
          .catch((error: Error) => {
            if (error.message !== 'rollback') throw error
          })
        rolledBack()
        expect((await sealing)?.sealed).toBe(0)
        await client.insert('orders', [order('kept')])
        expect(await client.audit.seal({ sealDelayMs: 0 })).toMatchObject({ sealed: 1 })
        expect(await client.audit.verify()).toMatchObject({ ok: true, broken: [], unsealed: 0 })
      },
    )

    for (const mode of ['delete', 'wal'] as const) {
      it.skipIf(kind !== 'sqlite')(
        `sqlite (${mode} journal): a writer on another connection is never failed by a sealer whose batch is in flight`,
        async () => {
          const { app, sealer, hooks, close } = await twoConnections(factory, mode)
          try {
            await app.insert('orders', [order('a')])
            let writing: Promise<number> | undefined
            hooks.sealer = async (sql) => {
              if (writing === undefined && /^insert into "audit_logs_chain"/i.test(sql)) {
                // The sealer has read the batch it is about to seal: the app writes now.
                writing = app.update('orders', { order_id: 'a' }, { status: 'paid' })
                await writing
              }
            }
            expect(await sealer.audit.seal({ sealDelayMs: 0 })).toMatchObject({
              sealed: 1,
              through: 1,
            })
            expect(await writing).toBe(1)
            expect(await sealer.audit.seal({ sealDelayMs: 0 })).toMatchObject({
              sealed: 1,
              through: 2,
            })
            expect(await app.audit.verify()).toMatchObject({ ok: true, checked: 2, unsealed: 0 })
          } finally {
            await close()
          }
        },
      )

      for (const inTransaction of [false, true]) {
        it.skipIf(kind !== 'sqlite')(
          `sqlite (${mode} journal): a sealer meeting a writer's open ${inTransaction ? 'user' : 'standalone'} transaction on another connection retries instead of failing`,
          async () => {
            const { app, sealer, hooks, close } = await twoConnections(factory, mode)
            try {
              await app.insert('orders', [order('a')])
              let sealing: Promise<SealResult> | undefined
              let retrying!: () => void
              const retried = new Promise<void>((resolve) => {
                retrying = resolve
              })
              hooks.app = async (sql) => {
                // Kysely writes "orders", Prisma `main`.`orders`.
                if (
                  sealing === undefined &&
                  /^update (?:[`"]main[`"]\.)?[`"]orders[`"]/i.test(sql)
                ) {
                  // The app's transaction has read the row it updates: a sealer runs now.
                  sealing = sealer.audit.seal({ sealDelayMs: 0 })
                  await Promise.race([retried, sealing.catch(() => undefined)])
                }
              }
              let chainReads = 0
              hooks.sealer = async (sql) => {
                if (/^select .* from "audit_logs_chain"/i.test(sql) && ++chainReads === 2) {
                  // The sealer found the write lock held and tries again: the app finishes first.
                  retrying()
                  await updating
                }
              }
              const update = (client: AuditedClient) =>
                client.update('orders', { order_id: 'a' }, { status: 'paid' })
              const updating = inTransaction ? app.transaction(update) : update(app)
              expect(await updating).toBe(1)
              expect(await sealing).toMatchObject({ sealed: 2, through: 2 })
              expect(await app.audit.verify()).toMatchObject({ ok: true, checked: 2, unsealed: 0 })
            } finally {
              await close()
            }
          },
        )
      }
    }

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
