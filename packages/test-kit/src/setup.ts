import type { ChronicleOptions } from '@chronicle/core'
import { createAuditTable, getDialect, type SqlConnection } from '@chronicle/core/adapter'
import { afterEach } from 'vitest'
import type { AdapterFactory, AuditedClient, ClientSettings } from './adapter.js'
import { createTestDatabase, type DatabaseKind, type TestDatabase } from './databases.js'
import { createFixtureTables, defaultTables, type TestTables } from './schema.js'

export interface Fixture {
  readonly db: TestDatabase
  readonly client: AuditedClient
  /** Raw rows of the audit table, oldest first. */
  auditRows(): Promise<Record<string, unknown>[]>
  count(table: string): Promise<number>
}

/** Core's view of the unaudited test connection. */
export function rawConnection(db: TestDatabase): SqlConnection {
  return {
    query: async <R>(sql: string, params: readonly unknown[]) => ({
      rows: (await db.exec(sql, params)) as R[],
    }),
  }
}

/** A fresh database with the fixture tables, the audit table and an audited client. */
export async function setUp(
  factory: AdapterFactory,
  kind: DatabaseKind,
  options: Partial<ChronicleOptions<TestTables>> &
    ClientSettings & {
      withAuditTable?: boolean
      withFixtures?: boolean
    } = {},
): Promise<Fixture> {
  const db = await createTestDatabase(kind)
  if (options.withFixtures !== false) await createFixtureTables(db)
  if (options.withAuditTable !== false)
    await createAuditTable(rawConnection(db), getDialect(db.dialect))
  const {
    withAuditTable: _a,
    withFixtures: _f,
    exactIntegers,
    beforeQuery,
    readCommitted,
    timeZone,
    dateStrings,
    ...chronicle
  } = options
  const client = await factory.create(
    db,
    { tables: defaultTables, ...chronicle } as ChronicleOptions<TestTables>,
    {
      ...(exactIntegers && { exactIntegers }),
      beforeQuery: beforeQuery ?? ((sql) => db.hooks.fire(sql)),
      ...(readCommitted && { readCommitted }),
      ...(timeZone && { timeZone }),
      ...(dateStrings && { dateStrings }),
    },
  )
  const q = getDialect(db.dialect).quote
  return {
    db,
    client,
    auditRows: () => db.exec(`SELECT * FROM ${q('audit_logs')} ORDER BY ${q('id')}`),
    async count(table) {
      const [row] = await db.exec(`SELECT COUNT(*) AS n FROM ${q(table)}`)
      return Number(row?.n)
    },
  }
}

export async function tearDown(fixture: Fixture | undefined): Promise<void> {
  if (!fixture) return
  await fixture.client.destroy()
  await fixture.db.drop()
}

/**
 * Per-test fixtures for a suite: `const start = useFixture(factory, kind)`, then
 * `const f = await start()` in a test; each is torn down after its test.
 */
export function useFixture(factory: AdapterFactory, kind: DatabaseKind) {
  let current: Fixture | undefined
  afterEach(async () => {
    await tearDown(current)
    current = undefined
  })
  return async (options?: Parameters<typeof setUp>[2]): Promise<Fixture> => {
    current = await setUp(factory, kind, options)
    return current
  }
}
