import { getDialect } from '@chronicle/core/adapter'
import { describe, expect, it } from 'vitest'
import type { AdapterFactory } from '../adapter.js'
import type { DatabaseKind, TestDatabase } from '../databases.js'
import { useFixture } from '../setup.js'
import { rejectAuditFor } from './transactions.js'

const ROWS = 50_000

/** Seeds orders quickly and unaudited, straight through the test connection. */
export async function seedOrders(db: TestDatabase, count: number) {
  const q = getDialect(db.dialect).quote
  for (let start = 0; start < count; start += 5000) {
    const n = Math.min(5000, count - start)
    const values = Array.from(
      { length: n },
      (_, i) => `('o${start + i}', ${start + i}, ${i % 100}, 'new')`,
    )
    await db.exec(
      `INSERT INTO ${q('orders')} (order_id, user_id, total, status) VALUES ${values.join(', ')}`,
    )
  }
}

export function bulkSuite(factory: AdapterFactory, kind: DatabaseKind) {
  describe('bulk', () => {
    const start = useFixture(factory, kind)

    it(`a ${ROWS.toLocaleString('en')}-row update is captured whole, past every bind-parameter limit`, async () => {
      const f = await start()
      await seedOrders(f.db, ROWS)
      expect(await f.client.update('orders', {}, { status: 'paid', total: { increment: 1 } })).toBe(
        ROWS,
      )
      const [counts] = await f.db.exec(
        `SELECT COUNT(*) AS n, COUNT(DISTINCT transaction_id) AS tx, MIN(action) AS a, MAX(action) AS b FROM audit_logs`,
      )
      expect(Number(counts?.n)).toBe(ROWS)
      expect(Number(counts?.tx)).toBe(1)
      expect([counts?.a, counts?.b]).toEqual(['UPDATE', 'UPDATE'])
      const [last] = (await f.client.audit.logs({ table: 'orders', entityId: `o${ROWS - 1}` }))
        .items
      expect(last?.oldValues).toEqual({ status: 'new', total: (ROWS - 1) % 100 })
      expect(last?.newValues).toMatchObject({ status: 'paid', total: ((ROWS - 1) % 100) + 1 })
    })

    it('if the last audit chunk fails, the whole bulk write rolls back', async () => {
      const f = await start()
      await seedOrders(f.db, ROWS)
      await rejectAuditFor(f.db, `o${ROWS - 1}`)
      await expect(f.client.delete('orders', {})).rejects.toThrow()
      expect(await f.count('orders')).toBe(ROWS)
      expect(await f.count('audit_logs')).toBe(0)
    })
  })
}
