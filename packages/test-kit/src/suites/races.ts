import { isChronicleError } from '@chronicle/core'
import { describe, expect, it } from 'vitest'
import type { AdapterFactory, AuditedClient } from '../adapter.js'
import type { DatabaseKind, TestDatabase } from '../databases.js'
import { userRow } from '../schema.js'
import { useFixture } from '../setup.js'

/** Inserts a users row on the test's own connection (autocommit): another transaction. */
async function insertElsewhere(db: TestDatabase, n: number, overrides: Record<string, unknown>) {
  const row = { id: n, ...userRow(db.dialect, n, overrides) }
  const columns = Object.keys(row)
  const placeholders = columns.map((_, i) => (db.dialect === 'postgres' ? `$${i + 1}` : '?'))
  const values = Object.values(row).map((v) =>
    db.dialect !== 'sqlite' &&
    v !== null &&
    typeof v === 'object' &&
    !(v instanceof Date) &&
    !Buffer.isBuffer(v)
      ? JSON.stringify(v)
      : v,
  )
  await db.exec(
    `INSERT INTO users (${columns.join(', ')}) VALUES (${placeholders.join(', ')})`,
    values,
  )
}

/** Every row whose `name` is `name` has exactly one UPDATE entry, and no other row has one. */
async function expectEntriesMatchRows(client: AuditedClient, name: string) {
  const rows = await client.select('users', { name })
  const updates = (await client.audit.logs({ table: 'users', action: 'UPDATE' })).items
  expect(updates.map((e) => e.entityId).sort()).toEqual(rows.map((r) => String(r.id)).sort())
  for (const entry of updates) expect(entry.newValues).toMatchObject({ name })
  const inserts = (await client.audit.logs({ table: 'users', action: 'INSERT' })).items
  expect(inserts.map((e) => e.entityId).sort()).toEqual(['1', '2'])
}

/**
 * Under READ COMMITTED (PostgreSQL's default, MariaDB's when the app sets it) a row can
 * appear between Chronicle's locked pre-read and the write. A hook under the driver runs
 * the other transaction exactly there. Entries must match what the statement did.
 */
export function racesSuite(factory: AdapterFactory, kind: DatabaseKind) {
  describe.skipIf(kind === 'sqlite')('races (READ COMMITTED)', () => {
    const start = useFixture(factory, kind)
    const open = () => start({ readCommitted: true })

    for (const inTransaction of [false, true]) {
      const where = inTransaction ? 'inside a transaction' : 'standalone'
      it(`[2a] UPDATE … WHERE with a matching row inserted before the write (${where})`, async () => {
        const f = await open()
        await f.client.insert('users', [
          { id: 1, ...userRow(f.db.dialect, 1, { score: 9 }) },
          { id: 2, ...userRow(f.db.dialect, 2, { score: 9 }) },
        ])
        // PostgreSQL folds the locked read into the UPDATE (`WITH … UPDATE`): nothing runs
        // between them, so the row lands before that one statement; [2c] races inside it.
        f.db.hooks.before(/^(update|with)\b/i, () => insertElsewhere(f.db, 3, { score: 9 }))
        const run = (c: AuditedClient) => c.update('users', { score: 9 }, { name: 'raced' })
        const updated = inTransaction ? await f.client.transaction(run) : await run(f.client)
        expect(f.db.hooks.pending).toBe(0)
        expect(updated).toBe((await f.client.select('users', { name: 'raced' })).length)
        await expectEntriesMatchRows(f.client, 'raced')
      })

      it(`[2c] UPDATE of a row another transaction changes while the write waits for its lock (${where})`, async () => {
        const f = await open()
        await f.client.insert('users', [
          { id: 1, ...userRow(f.db.dialect, 1, { score: 9 }) },
          { id: 2, ...userRow(f.db.dialect, 2, { score: 9 }) },
        ])
        const [first] = await f.client.select('users', { id: 1 })
        const other = await f.db.hold("UPDATE users SET name = 'theirs' WHERE id = 2")
        const run = (c: AuditedClient) => c.update('users', { score: 9 }, { name: 'ours' })
        const writing = inTransaction ? f.client.transaction(run) : run(f.client)
        // The write is now blocked on row 2, after its snapshot was taken: the other
        // transaction commits a new version of that row under it.
        await other.untilBlocking()
        await other.commit()
        expect(await writing).toBe(2)
        const updates = (await f.client.audit.logs({ table: 'users', action: 'UPDATE' })).items
        const byId = new Map(updates.map((e) => [e.entityId, e]))
        expect(updates).toHaveLength(2)
        expect(byId.get('1')?.oldValues).toEqual({ name: first?.name })
        // The old values are the row the write changed, not the one its snapshot saw.
        expect(byId.get('2')?.oldValues).toEqual({ name: 'theirs' })
        expect(byId.get('2')?.newValues).toMatchObject({ name: 'ours' })
      })

      it(`[2a] DELETE … WHERE with a matching row inserted before the write (${where})`, async () => {
        const f = await open()
        await f.client.insert('users', [
          { id: 1, ...userRow(f.db.dialect, 1, { score: 9 }) },
          { id: 2, ...userRow(f.db.dialect, 2, { score: 9 }) },
        ])
        f.db.hooks.before(/^delete\b/i, () => insertElsewhere(f.db, 3, { score: 9 }))
        const run = (c: AuditedClient) => c.delete('users', { score: 9 })
        const deleted = inTransaction ? await f.client.transaction(run) : await run(f.client)
        expect(f.db.hooks.pending).toBe(0)
        const left = (await f.client.select('users')).map((r) => String(r.id))
        const entries = (await f.client.audit.logs({ table: 'users', action: 'DELETE' })).items
        expect(entries).toHaveLength(deleted)
        for (const entry of entries) expect(left).not.toContain(entry.entityId)
        expect(left.length + deleted).toBe(3)
      })
    }

    const emulated = factory.emulatesUpsert?.(kind) === true
    it.skipIf(emulated)(
      '[2b] an upsert racing an insert of the same key is recorded as UPDATE with the old values',
      async () => {
        const f = await open()
        await f.client.insert('users', [{ id: 1, ...userRow(f.db.dialect, 1) }])
        f.db.hooks.before(/^insert\b/i, () => insertElsewhere(f.db, 50, { name: 'theirs' }))
        await f.client.upsert(
          'users',
          [{ id: 50, ...userRow(f.db.dialect, 50, { name: 'ours' }) }],
          ['id'],
          ['name'],
        )
        expect(f.db.hooks.pending).toBe(0)
        const history = (await f.client.audit.logs({ table: 'users', entityId: '50' })).items
        expect(history.map((e) => e.action)).toEqual(['UPDATE'])
        expect(history[0]?.oldValues).toEqual({ name: 'theirs' })
        expect(history[0]?.newValues).toMatchObject({ name: 'ours' })
      },
    )

    it.skipIf(emulated)(
      '[2b] inside a transaction, the raced upsert fails with CONFLICT and cannot commit',
      async () => {
        const f = await open()
        await f.client.insert('users', [{ id: 1, ...userRow(f.db.dialect, 1) }])
        f.db.hooks.before(/^insert\b/i, () => insertElsewhere(f.db, 50, { name: 'theirs' }))
        let raced: unknown
        await expect(
          f.client.transaction(async (tx) => {
            raced = await tx
              .upsert(
                'users',
                [{ id: 50, ...userRow(f.db.dialect, 50, { name: 'ours' }) }],
                ['id'],
                ['name'],
              )
              .catch((e: unknown) => e)
          }),
        ).rejects.toThrow()
        expect(isChronicleError(raced, 'CONFLICT')).toBe(true)
        expect((await f.client.select('users', { id: 50 }))[0]?.name).toBe('theirs')
        expect((await f.client.audit.logs({ table: 'users', entityId: '50' })).items).toEqual([])
      },
    )
  })
}
