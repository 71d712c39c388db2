import type { ChronicleOptions } from '@chronicle/core'
import { describe, expect, it } from 'vitest'
import type { AdapterFactory } from '../adapter.js'
import { createTestDatabase, type DatabaseKind } from '../databases.js'
import { userRow } from '../schema.js'
import { setUp, tearDown, useFixture } from '../setup.js'
import { propertiesSuite } from './properties.js'
import { rejectAuditFor, transactionsSuite } from './transactions.js'

/** The same adapter, its audit built with `entries: 'at-commit'`. */
export function entriesAtCommit(factory: AdapterFactory): AdapterFactory {
  return {
    ...factory,
    create: (db, options, settings) =>
      factory.create(db, { ...options, entries: 'at-commit' }, settings),
  }
}

const AUDIT_INSERT = /^\s*insert\s+into\s+[`"]?audit_logs[`"]?/i

/**
 * `entries: 'at-commit'`: the transaction and property contracts hold as they are, a
 * transaction's entries are written in one multi-row INSERT before COMMIT, and a failure
 * there rolls the transaction back.
 */
export function atCommitSuite(factory: AdapterFactory, kind: DatabaseKind) {
  const atCommit = entriesAtCommit(factory)
  describe('entries at commit', () => {
    transactionsSuite(atCommit, kind)
    propertiesSuite(atCommit, kind)

    const start = useFixture(atCommit, kind)

    it('an entries value other than per-write or at-commit is refused (UNSUPPORTED)', async () => {
      const db = await createTestDatabase(kind)
      try {
        const options = { tables: {}, entries: 'at-savepoint' } as never
        await expect((async () => factory.create(db, options))()).rejects.toMatchObject({
          code: 'UNSUPPORTED',
        })
      } finally {
        await db.drop()
      }
    })

    it('N updates in one transaction: one audit INSERT at COMMIT instead of N, the same entries in write order', async () => {
      const n = 12
      const run = async (entries: ChronicleOptions['entries']) => {
        const statements: string[] = []
        let counting = false
        const f = await setUp(factory, kind, {
          entries,
          beforeQuery: (sql) => {
            if (counting) statements.push(sql)
          },
        })
        try {
          await f.client.insert(
            'users',
            Array.from({ length: n }, (_, i) => userRow(f.db.dialect, i + 1)),
          )
          const ids = (await f.client.select('users')).map((row) => row.id)
          counting = true
          await f.client.transaction(async (tx) => {
            for (const [i, id] of ids.entries()) {
              await tx.update('users', { id }, { score: 100 + i })
            }
          })
          counting = false
          const rows = (await f.auditRows()).slice(n)
          return {
            statements,
            entries: rows.map((row) => ({
              action: row.action,
              entity: String(row.entity_id),
              old: row.old_values,
              new: row.new_values,
              changed: row.changed_fields,
            })),
            order: ids.map(String),
          }
        } finally {
          await tearDown(f)
        }
      }
      const perWrite = await run('per-write')
      const deferred = await run('at-commit')
      expect(perWrite.statements.filter((sql) => AUDIT_INSERT.test(sql))).toHaveLength(n)
      // 14 columns per entry: every database's bind limit holds 12 entries in one statement.
      expect(deferred.statements.filter((sql) => AUDIT_INSERT.test(sql))).toHaveLength(1)
      expect(deferred.statements.length).toBe(perWrite.statements.length - (n - 1))
      expect(deferred.entries).toEqual(perWrite.entries)
      if (kind === 'postgres') {
        // The locked read is folded into each UPDATE: one statement touches the table per
        // write, so the audit adds one statement per update (per-write) or none (at-commit).
        const touching = (sql: string) => /\busers\b/.test(sql) && !AUDIT_INSERT.test(sql)
        for (const { statements } of [perWrite, deferred]) {
          expect(statements.filter(touching).map((sql) => sql.slice(0, 4).toUpperCase())).toEqual(
            Array(n).fill('WITH'),
          )
        }
      }
      // Ids are given at COMMIT, in the order the writes ran.
      expect(deferred.entries.map((e) => e.entity)).toEqual(deferred.order)
    })

    it('an audit table refusing an entry fails the COMMIT with AUDIT_FAILED: neither rows nor entries stay', async () => {
      const { client, db, count } = await start()
      await client.insert('orders', [{ order_id: 'ok', user_id: 1, total: 1, status: 'new' }])
      await rejectAuditFor(db, 'bad')
      let wrote = false
      const error = await client
        .transaction(async (tx) => {
          await tx.update('orders', { order_id: 'ok' }, { status: 'paid' })
          // The refused entry is only kept: the write itself succeeds.
          await tx.insert('orders', [{ order_id: 'bad', user_id: 1, total: 1, status: 'new' }])
          wrote = true
        })
        .catch((e: unknown) => e)
      expect(wrote).toBe(true)
      expect(error).toMatchObject({ code: 'AUDIT_FAILED' })
      expect((await client.select('orders')).map((r) => [r.order_id, r.status])).toEqual([
        ['ok', 'new'],
      ])
      expect(await count('audit_logs')).toBe(1)
    })

    it('rolling back to a savepoint drops exactly the entries kept after it', async () => {
      const { client, db } = await start()
      await client.transaction(async (tx) => {
        await tx.insert('users', [userRow(db.dialect, 1)])
        await tx.savepoint(async (sp) => {
          await sp.insert('users', [userRow(db.dialect, 2)])
          await expect(
            sp.savepoint(async (inner) => {
              await inner.insert('users', [userRow(db.dialect, 3)])
              await inner.update('users', { score: 1 }, { name: 'undone' })
              throw new Error('undo inner')
            }),
          ).rejects.toThrow('undo inner')
          await sp.insert('users', [userRow(db.dialect, 4)])
        })
        await tx.insert('users', [userRow(db.dialect, 5)])
      })
      const entries = (await client.audit.logs({})).items.reverse()
      expect(entries.map((e) => [e.action, e.newValues?.email])).toEqual(
        [1, 2, 4, 5].map((n) => ['INSERT', `user${n}@example.com`]),
      )
    })

    it('an event logged in the transaction keeps its place among the row entries', async () => {
      const { client, db, auditRows } = await start()
      await client.transaction(async (tx) => {
        await tx.insert('users', [userRow(db.dialect, 1)])
        await tx.log({ action: 'user.signup.completed', targetType: 'users' })
        await tx.update('users', { score: 1 }, { name: 'after event' })
      })
      const rows = await auditRows()
      expect(rows.map((r) => r.action)).toEqual(['INSERT', 'user.signup.completed', 'UPDATE'])
      expect(new Set(rows.map((r) => r.transaction_id)).size).toBe(1)
    })
  })
}
