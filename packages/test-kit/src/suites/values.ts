import { randomBytes } from 'node:crypto'
import {
  type ChronicleErrorCode,
  type DialectName,
  isChronicleError,
  type TableRepo,
  withAuditContext,
} from '@chronicle/core'
import { getDialect } from '@chronicle/core/adapter'
import { describe, expect, it } from 'vitest'
import { type AdapterFactory, type TableName, untyped } from '../adapter.js'
import type { DatabaseKind, TestDatabase } from '../databases.js'
import { defaultTables } from '../schema.js'
import { useFixture } from '../setup.js'

/** 2^53 and 2^53 + 1: one JS number, two database integers. */
const TWO_53 = '9007199254740992'
const TWO_53_PLUS_1 = '9007199254740993'

/** Tables only these tests use: a BIGINT key and value, and a long text key. */
const DDL: Record<DialectName, string[]> = {
  sqlite: [
    'CREATE TABLE ledger (id INTEGER PRIMARY KEY, amount INTEGER, label TEXT NOT NULL)',
    'CREATE TABLE slugs (slug TEXT PRIMARY KEY, title TEXT NOT NULL)',
  ],
  postgres: [
    'CREATE TABLE ledger (id BIGINT PRIMARY KEY, amount BIGINT, label TEXT NOT NULL)',
    'CREATE TABLE slugs (slug TEXT PRIMARY KEY, title TEXT NOT NULL)',
  ],
  mysql: [
    'CREATE TABLE ledger (id BIGINT PRIMARY KEY, amount BIGINT, label VARCHAR(64) NOT NULL)',
    'CREATE TABLE slugs (slug VARCHAR(400) PRIMARY KEY, title VARCHAR(64) NOT NULL) DEFAULT CHARSET=utf8mb4',
  ],
}

/** As read with exact integers: bigint from better-sqlite3, text from pg and mysql2. */
type LedgerRow = { id: bigint | string; amount: bigint | string | null; label: string }

const tables = { ...defaultTables, ledger: {}, slugs: { primaryKey: 'slug' } } as never
const ledger = 'ledger' as TableName
const slugs = 'slugs' as TableName

async function createTables(db: TestDatabase) {
  for (const statement of DDL[db.dialect]) await db.exec(statement)
}

async function codeOf(
  promise: Promise<unknown>,
): Promise<{ code?: ChronicleErrorCode; error: unknown }> {
  try {
    await promise
  } catch (error) {
    return { code: isChronicleError(error) ? error.code : undefined, error }
  }
  return { error: undefined }
}

export function valuesSuite(factory: AdapterFactory, kind: DatabaseKind) {
  describe('values', () => {
    const start = useFixture(factory, kind)

    it('integers beyond 2^53 under default driver settings are recorded exactly or refused with UNSAFE_INTEGER; nothing changes', async () => {
      const f = await start({ tables })
      await createTables(f.db)
      await f.db.exec(
        `INSERT INTO ledger (id, amount, label) VALUES (${TWO_53}, ${TWO_53}, 'a'), (${TWO_53_PLUS_1}, ${TWO_53_PLUS_1}, 'a')`,
      )
      const update = await codeOf(f.client.update(ledger, { label: 'a' }, { label: 'b' }))
      // pg gives int8 as text by default, and so do Prisma's adapters: exact, so the write is
      // recorded. better-sqlite3 and mysql2 round it unless told not to: refused.
      if (update.error === undefined && update.code === undefined) {
        const { items } = await untyped(f.client).logs({ table: 'ledger' })
        expect(items.map((e) => e.entityId).sort()).toEqual([TWO_53, TWO_53_PLUS_1])
        expect(items.map((e) => String(e.newValues?.amount)).sort()).toEqual([
          TWO_53,
          TWO_53_PLUS_1,
        ])
        return
      }
      const { code, error } = update
      expect(kind, 'pg gives int8 as text: the write must be recorded').not.toBe('postgres')
      expect(code, String(error)).toBe('UNSAFE_INTEGER')
      expect((error as Error).message).toContain(
        kind === 'sqlite' ? 'defaultSafeIntegers(true)' : 'bigNumberStrings: true',
      )
      const q = getDialect(f.db.dialect).quote
      expect(
        (await f.db.exec(`SELECT ${q('label')} FROM ${q('ledger')}`)).map((r) => r.label),
      ).toEqual(['a', 'a'])
      expect(await f.count('audit_logs')).toBe(0)
    })

    it('integers beyond 2^53 under exact driver settings get distinct entity ids and round-trip through history, stateAt and restore', async () => {
      const f = await start({ tables, exactIntegers: true })
      await createTables(f.db)
      const { client } = f
      // better-sqlite3 binds exact integers as bigint; pg and mysql2 take them as text.
      const int = (text: string) => (kind === 'sqlite' ? BigInt(text) : text)
      await client.insert(ledger, [
        { id: int(TWO_53), amount: int(TWO_53), label: 'a' },
        { id: int(TWO_53_PLUS_1), amount: int(TWO_53_PLUS_1), label: 'b' },
      ])
      await client.update(ledger, { id: int(TWO_53_PLUS_1) }, { label: 'c' })
      const repo = client.audit.table(ledger) as unknown as TableRepo<LedgerRow>
      const history = await repo.history(TWO_53_PLUS_1, { order: 'asc' })
      expect(history.map((e) => [e.action, e.entityId])).toEqual([
        ['INSERT', TWO_53_PLUS_1],
        ['UPDATE', TWO_53_PLUS_1],
      ])
      expect(String(history[0]?.newValues?.amount)).toBe(TWO_53_PLUS_1)
      expect(String(history[1]?.newValues?.id)).toBe(TWO_53_PLUS_1)
      const other = await repo.history(TWO_53)
      expect(other.map((e) => [e.action, e.entityId])).toEqual([['INSERT', TWO_53]])
      const then = await repo.stateAt(TWO_53_PLUS_1, { auditId: history[0]?.id as number })
      expect(then && [String(then.id), String(then.amount), then.label]).toEqual([
        TWO_53_PLUS_1,
        TWO_53_PLUS_1,
        'b',
      ])
      const restored = await client.audit.restore(history[1]?.id as number)
      expect(restored.changes).toEqual([{ field: 'label', from: 'c', to: 'b' }])
      const rows = await client.select(ledger)
      expect(rows.map((r) => [String(r.id), String(r.amount), r.label])).toEqual([
        [TWO_53, TWO_53, 'a'],
        [TWO_53_PLUS_1, TWO_53_PLUS_1, 'b'],
      ])
    })

    it('a 300-character primary key and actorId are stored and read back exactly', async () => {
      const f = await start({ tables })
      await createTables(f.db)
      const { client } = f
      const slug = `s${'é'.repeat(298)}z`
      const actorId = `u${'ü'.repeat(298)}z`
      const context = { actorId, actorType: 't'.repeat(300), ipAddress: '2001:db8::1'.repeat(20) }
      await withAuditContext(context, async () => {
        await client.insert(slugs, [{ slug, title: 'one' }])
        await client.update(slugs, { slug }, { title: 'two' })
        await client.delete(slugs, { slug })
      })
      const byKey = await untyped(client).logs({ table: 'slugs', entityId: slug })
      expect(byKey.items.map((e) => e.action)).toEqual(['DELETE', 'UPDATE', 'INSERT'])
      for (const entry of byKey.items) {
        expect(entry).toMatchObject({
          entityId: slug,
          actorId,
          actorType: context.actorType,
          ipAddress: context.ipAddress,
        })
      }
      expect((await client.audit.logs({ actorId })).items).toHaveLength(3)
      // Equality, not a shared prefix: a key that differs only in its last character is another row.
      expect((await client.audit.logs({ entityId: `${slug.slice(0, -1)}y` })).items).toEqual([])
      expect((await client.audit.table(slugs).history(slug as never)).map((e) => e.action)).toEqual(
        ['DELETE', 'UPDATE', 'INSERT'],
      )
      expect(await client.audit.verify()).toMatchObject({ ok: true, broken: [] })
    })

    it.skipIf(kind === 'sqlite')(
      'context values longer than the audit table stores are refused with VALUE_TOO_LONG before the write runs',
      async () => {
        // SQLite stores values of any practical length: nothing to refuse there.
        const f = await start({ tables })
        await createTables(f.db)
        // PostgreSQL compresses index entries: only an incompressible value shows its limit.
        const tooLong = kind === 'postgres' ? randomBytes(1600).toString('hex') : 'x'.repeat(65_536)
        const { code, error } = await codeOf(
          withAuditContext({ actorId: tooLong }, () =>
            f.client.insert(slugs, [{ slug: 'a', title: 'one' }]),
          ),
        )
        expect(code, String(error)).toBe('VALUE_TOO_LONG')
        expect((error as Error).message).toContain('actor_id')
        expect(await f.count('slugs')).toBe(0)
        expect(await f.count('audit_logs')).toBe(0)
      },
    )
  })
}
