import { setTimeout as sleep } from 'node:timers/promises'
import { createAuditTable, getDialect } from '@chronicle/core/adapter'
import {
  createTestDatabase,
  isAvailable,
  rawConnection,
  type TestTables,
} from '@chronicle/test-kit'
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { auditPlugin } from '../src/index.js'

const available = await isAvailable('postgres')

describe.skipIf(!available)('kysely:postgres connection lifecycle', () => {
  it('audit.destroy() closes connections opened only by audit queries; calling both destroys is safe', async () => {
    const database = await createTestDatabase('postgres')
    const name = new URL(database.url as string).pathname.slice(1)
    try {
      await createAuditTable(rawConnection(database), getDialect('postgres'))
      const audit = auditPlugin<TestTables>({ tables: {} })
      const pool = new pg.Pool({
        connectionString: database.url,
        application_name: 'audit-lifecycle',
      })
      const db = new Kysely<TestTables>({ dialect: audit.dialect(new PostgresDialect({ pool })) })
      const open = async () => {
        const [row] = await database.exec(
          `SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'audit-lifecycle'`,
          [name],
        )
        return Number(row?.n)
      }
      await audit.logs()
      expect(await open()).toBe(1)
      // Kysely never ran a query itself, so its destroy() does not reach the driver.
      await db.destroy()
      expect(await open()).toBe(1)
      await audit.destroy()
      await audit.destroy()
      let remaining = await open()
      for (let attempt = 0; remaining > 0 && attempt < 50; attempt++) {
        await sleep(50)
        remaining = await open()
      }
      expect(remaining).toBe(0)
    } finally {
      await database.drop()
    }
  })
})
