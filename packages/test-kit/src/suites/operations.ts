import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Writable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { isChronicleError, withAuditContext } from '@chronicle/core'
import { createAuditTable, getDialect } from '@chronicle/core/adapter'
import { describe, expect, it } from 'vitest'
import type { AdapterFactory } from '../adapter.js'
import { createTestDatabase, type DatabaseKind } from '../databases.js'
import { defaultTables, userRow } from '../schema.js'
import { seedEntries } from '../seed.js'
import { rawConnection, useFixture } from '../setup.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

const order = (id: string, total = 1) => ({ order_id: id, user_id: 1, total, status: 'new' })

export function operationsSuite(factory: AdapterFactory, kind: DatabaseKind) {
  describe('operations', () => {
    const start = useFixture(factory, kind)

    it('stats are computed by the database: totals, shares, peaks and storage', async () => {
      const f = await start()
      const { client, db } = f
      await withAuditContext({ actorId: 'alice' }, async () => {
        await client.insert('users', [userRow(db.dialect, 1), userRow(db.dialect, 2)])
        await client.update('users', { score: 1 }, { name: 'A' })
      })
      await client.insert('orders', [order('o1')])
      await client.log({ action: 'billing.plan.changed', targetType: 'organization' })
      const now = new Date()
      const stats = await client.audit.stats()
      expect(stats.total).toBe(5)
      const counts = (record: Record<string, { count: number; share: number }>) =>
        Object.fromEntries(Object.entries(record).map(([key, value]) => [key, value.count]))
      expect(counts(stats.byAction)).toEqual({ INSERT: 3, UPDATE: 1, 'billing.plan.changed': 1 })
      expect(counts(stats.byTable)).toEqual({ users: 3, orders: 1, organization: 1 })
      expect(stats.byActor).toEqual({
        alice: { count: 3, share: 0.6 },
        '(none)': { count: 2, share: 0.4 },
      })
      expect(Object.keys(stats.byAction)[0]).toBe('INSERT')
      const days = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']
      expect(stats.peakDay).toEqual({ day: days[now.getUTCDay()], count: 5 })
      expect(stats.peakHour?.count).toBe(5)
      expect([now.getUTCHours(), (now.getUTCHours() + 23) % 24]).toContain(stats.peakHour?.hour)
      expect(stats.bytes).toBeGreaterThan(0)
      expect((await client.audit.stats({ table: 'users' })).total).toBe(3)
      expect((await client.audit.stats({ since: new Date(Date.now() + 60_000) })).total).toBe(0)
    })

    it('cleanup deletes in batches, reports per table, and verify stays true', async () => {
      const f = await start()
      const { client } = f
      await client.insert('orders', [order('o1'), order('o2'), order('o3')])
      await client.update('orders', {}, { status: 'paid' })
      await client.insert('memberships', [{ user_id: 1, org_id: 1, role: 'r' }])
      const cutoff = new Date(Date.now() + 1000)
      expect(
        await client.audit.cleanup({ before: cutoff, table: 'orders', dryRun: true }),
      ).toMatchObject({
        deleted: 6,
        byTable: { orders: 6 },
        dryRun: true,
      })
      expect(await f.count('audit_logs')).toBe(7)
      const middle = await client.audit.cleanup({ before: cutoff, table: 'orders', batchSize: 4 })
      expect(middle).toMatchObject({ deleted: 6, byTable: { orders: 6 } })
      expect(await client.audit.verify()).toMatchObject({ ok: true, broken: [] })
      await client.insert('orders', [order('o4')])
      await sleep(5)
      expect((await client.audit.cleanup({ keepDays: 0 })).deleted).toBe(2)
      await client.insert('orders', [order('o5')])
      await client.audit.seal({ sealDelayMs: 0 })
      expect(await client.audit.verify()).toMatchObject({ ok: true, broken: [], checked: 1 })
      const invalid = await client.audit.cleanup({ keepDays: -1 }).catch((e: unknown) => e)
      expect(isChronicleError(invalid, 'INVALID_FILTER')).toBe(true)
      expect(
        isChronicleError(await client.audit.cleanup({}).catch((e: unknown) => e), 'INVALID_FILTER'),
      ).toBe(true)
    })

    it('JSONL export re-imports losslessly: same entries, same chain head', async () => {
      const f = await start()
      const { client, db } = f
      await withAuditContext({ actorId: 'u', metadata: { requestId: 'r' } }, () =>
        client.insert('users', [userRow(db.dialect, 1)]),
      )
      await client.update('users', { score: 1 }, { password_hash: 'new-secret', name: 'B' })
      await client.log({ action: 'billing.plan.changed', targetId: 'org-1' })
      await client.audit.seal({ sealDelayMs: 0 })
      const out = new PassThrough()
      const chunks: string[] = []
      out.on('data', (chunk: Buffer) => chunks.push(chunk.toString()))
      expect(await client.audit.exportJsonl({}, out)).toBe(3)
      const text = chunks.join('')
      expect(text.trim().split('\n')).toHaveLength(3)
      expect(text).not.toContain('secret')
      const copy = await createTestDatabase(kind)
      try {
        await createAuditTable(rawConnection(copy), getDialect(copy.dialect))
        const imported = await factory.create(copy, { tables: defaultTables })
        try {
          expect(await imported.audit.importJsonl([text.slice(0, 17), text.slice(17)])).toEqual({
            imported: 3,
            skipped: 0,
          })
          expect((await imported.audit.logs({})).items).toEqual((await client.audit.logs({})).items)
          await imported.audit.seal({ sealDelayMs: 0 })
          expect((await imported.audit.verify()).head).toBe((await client.audit.verify()).head)
          await imported.log({ action: 'after.import.works' })
          expect((await imported.audit.logs({ limit: 1 })).items[0]?.id).toBe(4)
        } finally {
          await imported.destroy()
        }
      } finally {
        await copy.drop()
      }
    })

    it('export streams 100k entries within a bounded heap', async () => {
      const f = await start()
      await seedEntries(f.db, 100_000, 512)
      // Retained memory, not garbage the collector has yet to visit: collect before each sample.
      const retained = () => {
        gc()
        return process.memoryUsage().heapUsed
      }
      const baseline = retained()
      let peak = baseline
      let count = 0
      for await (const entry of f.client.audit.export({ table: 'users' })) {
        count += 1
        if (count % 10_000 === 0) peak = Math.max(peak, retained())
        expect(entry.tableName).toBe('users')
      }
      expect(count).toBe(100_000)
      // All 100k entries at once would retain well over 100 MB; a page at a time stays small.
      expect(peak - baseline).toBeLessThan(16 * 1024 * 1024)
    })

    it('revertTransaction undoes a transaction in reverse order; a later change is a CONFLICT unless force', async () => {
      const f = await start()
      const { client } = f
      await client.insert('orders', [order('keep', 5)])
      await client.insert('memberships', [{ user_id: 1, org_id: 1, role: 'member' }])
      await client.transaction(async (tx) => {
        await tx.insert('orders', [order('new', 9)])
        await tx.update('orders', { order_id: 'keep' }, { total: 6 })
        await tx.update('orders', { order_id: 'keep' }, { status: 'paid' })
        await tx.delete('memberships', { user_id: 1 })
      })
      const [last] = (await client.audit.logs({ limit: 1 })).items
      const result = await client.audit.revertTransaction(last?.transactionId as string)
      expect(result.reverted.map((r) => r.action)).toEqual(['DELETE', 'UPDATE', 'UPDATE', 'INSERT'])
      expect(await client.select('orders')).toEqual([order('keep', 5)])
      expect(await client.select('memberships')).toEqual([
        { user_id: 1, org_id: 1, role: 'member' },
      ])
      const [undo] = (await client.audit.logs({ limit: 1 })).items
      expect(undo?.metadata).toEqual({ revertOf: last?.transactionId })

      await client.update('orders', { order_id: 'keep' }, { total: 7 })
      const [change] = (await client.audit.logs({ limit: 1 })).items
      await client.update('orders', { order_id: 'keep' }, { total: 8 })
      const conflict = await client.audit
        .revertTransaction(change?.transactionId as string)
        .catch((e: unknown) => e)
      expect(isChronicleError(conflict, 'CONFLICT')).toBe(true)
      expect((await client.select('orders'))[0]?.total).toBe(8)
      await client.audit.revertTransaction(change?.transactionId as string, { force: true })
      expect((await client.select('orders'))[0]?.total).toBe(5)
      const missing = await client.audit.revertTransaction('no-such-tx').catch((e: unknown) => e)
      expect(isChronicleError(missing, 'NOT_FOUND')).toBe(true)
    })

    it('revertTransaction dryRun reports the revert (or its CONFLICT) and writes nothing', async () => {
      const f = await start()
      const { client } = f
      await client.insert('orders', [order('keep', 5)])
      await client.transaction(async (tx) => {
        await tx.insert('orders', [order('new', 9)])
        await tx.update('orders', { order_id: 'keep' }, { total: 6 })
        await tx.update('orders', { order_id: 'keep' }, { status: 'paid' })
      })
      const [last] = (await client.audit.logs({ limit: 1 })).items
      const txId = last?.transactionId as string
      const rowsBefore = await client.select('orders')
      const entriesBefore = (await client.audit.logs({ limit: 100 })).items.length
      const preview = await client.audit.revertTransaction(txId, { dryRun: true })
      expect(preview.applied).toBe(false)
      expect(preview.reverted.map((r) => r.action)).toEqual(['UPDATE', 'UPDATE', 'INSERT'])
      expect(await client.select('orders')).toEqual(rowsBefore)
      expect((await client.audit.logs({ limit: 100 })).items).toHaveLength(entriesBefore)

      const real = await client.audit.revertTransaction(txId)
      expect(real).toEqual({ ...preview, applied: true })
      expect(await client.select('orders')).toEqual([order('keep', 5)])

      await client.update('orders', { order_id: 'keep' }, { total: 7 })
      const [change] = (await client.audit.logs({ limit: 1 })).items
      await client.update('orders', { order_id: 'keep' }, { total: 8 })
      const conflict = await client.audit
        .revertTransaction(change?.transactionId as string, { dryRun: true })
        .catch((e: unknown) => e)
      expect(isChronicleError(conflict, 'CONFLICT')).toBe(true)
      const forced = await client.audit.revertTransaction(change?.transactionId as string, {
        dryRun: true,
        force: true,
      })
      expect(forced).toMatchObject({ applied: false, reverted: [{ action: 'UPDATE' }] })
      expect((await client.select('orders'))[0]?.total).toBe(8)
    })

    it('hardening #10: exportJsonl resolves only once the data is flushed, and rejects when the stream fails', async () => {
      const f = await start()
      const { client } = f
      await client.insert('orders', [order('o1'), order('o2'), order('o3')])
      // Each chunk is taken a turn of the event loop after it is written, as a file's would be.
      const lines: string[] = []
      const slow = new Writable({
        highWaterMark: 1 << 20,
        write(chunk: Buffer, _encoding, done) {
          setImmediate(() => {
            lines.push(chunk.toString())
            done()
          })
        },
      })
      expect(await client.audit.exportJsonl({}, slow)).toBe(3)
      expect(lines.join('').trim().split('\n')).toHaveLength(3)
      expect(slow.writableFinished).toBe(true)
      const failing = new Writable({
        write(_chunk, _encoding, done) {
          done(new Error('disk full'))
        },
      })
      const error = await client.audit.exportJsonl({}, failing).catch((e: unknown) => e)
      expect(isChronicleError(error, 'STREAM_ERROR'), String(error)).toBe(true)
      expect(((error as Error).cause as Error).message).toBe('disk full')
    })

    it('hardening #10: export to a file then import it: all entries arrive, a re-import skips them, a clashing id is a CONFLICT that imports nothing', async () => {
      const f = await start()
      const { client } = f
      await client.insert('orders', [order('o1'), order('o2')])
      await client.update('orders', { order_id: 'o1' }, { total: 2 })
      const dir = await mkdtemp(join(tmpdir(), 'chronicle-'))
      const file = join(dir, 'audit.jsonl')
      const copy = await createTestDatabase(kind)
      try {
        expect(await client.audit.exportJsonl({}, createWriteStream(file))).toBe(3)
        await createAuditTable(rawConnection(copy), getDialect(copy.dialect))
        const imported = await factory.create(copy, { tables: defaultTables })
        try {
          const { audit } = imported
          expect(await audit.importJsonl(createReadStream(file))).toEqual({
            imported: 3,
            skipped: 0,
          })
          expect(await audit.importJsonl(createReadStream(file))).toEqual({
            imported: 0,
            skipped: 3,
          })
          expect((await audit.logs()).items).toEqual((await client.audit.logs()).items)
          // 1000 new entries (a whole batch), then one whose id exists with other content.
          const [first] = (await readFile(file, 'utf8')).split('\n')
          const entry = JSON.parse(first as string) as Record<string, unknown>
          const fresh = Array.from({ length: 1000 }, (_, i) =>
            JSON.stringify({ ...entry, id: 100 + i }),
          )
          const clash = JSON.stringify({ ...entry, id: 2, hash: 'f'.repeat(64) })
          const error = await audit
            .importJsonl([...fresh, clash].map((line) => `${line}\n`))
            .catch((e: unknown) => e)
          expect(isChronicleError(error, 'CONFLICT'), String(error)).toBe(true)
          expect((error as { auditId?: number }).auditId).toBe(2)
          async function* failing() {
            yield `${fresh[0]}\n`
            throw new Error('read failed')
          }
          const streamError = await audit.importJsonl(failing()).catch((e: unknown) => e)
          expect(isChronicleError(streamError, 'STREAM_ERROR'), String(streamError)).toBe(true)
          const [row] = await copy.exec('SELECT COUNT(*) AS n FROM audit_logs')
          expect(Number(row?.n)).toBe(3)
        } finally {
          await imported.destroy()
        }
      } finally {
        await copy.drop()
        await rm(dir, { recursive: true, force: true })
      }
    })
  })
}
