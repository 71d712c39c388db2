import type { LogsPage } from '@chronicle/core'
import { getDialect } from '@chronicle/core/adapter'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AdapterFactory, AuditedClient, Row } from '../adapter.js'
import type { DatabaseKind } from '../databases.js'
import { type TestTables, userRow } from '../schema.js'
import { type Fixture, setUp, tearDown } from '../setup.js'

type Op =
  | { kind: 'insert'; count: number }
  | { kind: 'update'; min: number; delta: number; name: string }
  | { kind: 'delete'; below: number }
  | { kind: 'upsert'; emails: number[]; name: string }
  | { kind: 'order'; id: number; total: number }
  | { kind: 'orderDelete'; id: number }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), count: fc.integer({ min: 1, max: 4 }) }),
  fc.record({
    kind: fc.constant('update' as const),
    min: fc.integer({ min: 0, max: 30 }),
    delta: fc.integer({ min: -2, max: 2 }),
    name: fc.string({ maxLength: 6 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), below: fc.integer({ min: 0, max: 12 }) }),
  fc.record({
    kind: fc.constant('upsert' as const),
    emails: fc.uniqueArray(fc.integer({ min: 0, max: 25 }), { minLength: 1, maxLength: 3 }),
    name: fc.string({ maxLength: 6 }),
  }),
  fc.record({
    kind: fc.constant('order' as const),
    id: fc.integer({ min: 0, max: 5 }),
    total: fc.integer({ min: 0, max: 99 }),
  }),
  fc.record({ kind: fc.constant('orderDelete' as const), id: fc.integer({ min: 0, max: 5 }) }),
)

const stepArb = fc.record({
  ops: fc.array(opArb, { minLength: 1, maxLength: 3 }),
  mode: fc.constantFrom('standalone', 'commit', 'rollback'),
})

/** Every entry of a table, oldest first, read through the public API. */
async function allEntries(client: AuditedClient, table: keyof TestTables & string) {
  const entries = []
  let cursor: string | null = null
  do {
    const page: LogsPage = await client.audit.logs({
      table,
      limit: 1000,
      cursor,
    })
    entries.push(...page.items)
    cursor = page.nextCursor
  } while (cursor)
  return entries.reverse()
}

/** Replays INSERT/UPDATE/DELETE entries into a map of entity id → row. */
function replay(entries: Awaited<ReturnType<typeof allEntries>>) {
  const rows = new Map<string, unknown>()
  for (const entry of entries) {
    if (entry.action === 'DELETE') rows.delete(entry.entityId)
    else rows.set(entry.entityId, entry.newValues)
  }
  return rows
}

export function propertiesSuite(factory: AdapterFactory, kind: DatabaseKind) {
  describe('properties', () => {
    let f: Fixture
    let next = 0
    beforeAll(async () => {
      f = await setUp(factory, kind, { tables: { users: {}, orders: { primaryKey: 'order_id' } } })
    })
    afterAll(() => tearDown(f))

    async function apply(client: AuditedClient, op: Op) {
      const dialect = f.db.dialect
      switch (op.kind) {
        case 'insert':
          return client.insert(
            'users',
            Array.from({ length: op.count }, () => userRow(dialect, 1000 + next++)),
          )
        case 'update':
          return client.update(
            'users',
            { score: { gt: op.min } },
            { score: { increment: op.delta }, name: op.name },
          )
        case 'delete':
          return client.delete('users', { score: { lt: op.below } })
        case 'upsert':
          return client.upsert(
            'users',
            op.emails.map((n) => userRow(dialect, n, { name: op.name })),
            ['email'],
            ['name'],
          )
        case 'order':
          return client.upsert(
            'orders',
            [{ order_id: `o${op.id}`, user_id: 1, total: op.total, status: 's' }],
            ['order_id'],
            ['total'],
          )
        case 'orderDelete':
          return client.delete('orders', { order_id: `o${op.id}` })
      }
    }

    it('replaying the log rebuilds every audited table; rollbacks leave no entries; stateAt matches each checkpoint', async () => {
      const q = getDialect(f.db.dialect).quote
      await fc.assert(
        fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 6 }), async (steps) => {
          for (const table of ['users', 'orders', 'audit_logs'])
            await f.db.exec(`DELETE FROM ${q(table)}`)
          const { client } = f
          const checkpoints: { auditId: number; users: Row[] }[] = []
          for (const step of steps) {
            const before = await f.count('audit_logs')
            const usersBefore = await client.select('users')
            if (step.mode === 'standalone') {
              for (const op of step.ops) await apply(client, op)
            } else {
              const run = client.transaction(async (tx) => {
                for (const op of step.ops) await apply(tx, op)
                if (step.mode === 'rollback') throw new Error('rollback')
              })
              if (step.mode === 'rollback') {
                await expect(run).rejects.toThrow('rollback')
                expect(await f.count('audit_logs')).toBe(before)
                expect(await client.select('users')).toEqual(usersBefore)
              } else {
                await run
              }
            }
            const [max] = await f.db.exec(`SELECT MAX(${q('id')}) AS id FROM ${q('audit_logs')}`)
            checkpoints.push({ auditId: Number(max?.id ?? 0), users: await client.select('users') })
          }
          for (const table of ['users', 'orders'] as const) {
            const key = table === 'users' ? 'id' : 'order_id'
            const actual = new Map(
              (await client.select(table)).map((row) => [String(row[key]), row]),
            )
            expect(replay(await allEntries(client, table))).toEqual(actual)
          }
          const users = client.audit.table('users')
          for (const checkpoint of checkpoints.slice(-2)) {
            for (const row of checkpoint.users.slice(0, 4)) {
              expect(
                await users.stateAt(row.id as number, { auditId: checkpoint.auditId }),
              ).toEqual(row)
            }
          }
        }),
        { numRuns: Number(process.env.CHRONICLE_PROPERTY_RUNS ?? 12) },
      )
    })
  })
}
