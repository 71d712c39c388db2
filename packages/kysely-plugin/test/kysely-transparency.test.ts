import { randomUUID } from 'node:crypto'
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAuditTable, getDialect } from '@chronicle/core/adapter'
import {
  createFixtureTables,
  createTestDatabase,
  DATABASES,
  type DatabaseKind,
  isAvailable,
  openSqlite,
  rawConnection,
  type TestDatabase,
  type TestTables,
  userRow,
} from '@chronicle/test-kit'
import Database from 'better-sqlite3'
import {
  type Dialect,
  type Generated,
  Kysely,
  type LogEvent,
  MysqlDialect,
  PostgresDialect,
  SqliteDialect,
  sql,
} from 'kysely'
import { createPool } from 'mysql2'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { auditPlugin } from '../src/index.js'

type DB = { users: Omit<TestTables['users'], 'id'> & { id: Generated<number> } }

// Each test runs the same steps on a plain Kysely and on an audited one: the audit must not
// change what Kysely does or reports.

/**
 * A test database, plus fresh dialect configs over it. Pools and SQLite handles come from
 * factories, as in Kysely's own tests, so each Kysely instance opens and closes its own.
 */
interface Target {
  readonly database: TestDatabase
  dialect(): Dialect
}

async function openTarget(kind: DatabaseKind): Promise<Target> {
  const database = kind === 'sqlite' ? sqliteFile() : await createTestDatabase(kind)
  await createFixtureTables(database)
  await createAuditTable(rawConnection(database), getDialect(database.dialect))
  const { url } = database
  return {
    database,
    dialect() {
      if (kind === 'sqlite')
        return new SqliteDialect({ database: async () => new Database(database.url as string) })
      if (kind === 'postgres')
        return new PostgresDialect({ pool: async () => new pg.Pool({ connectionString: url }) })
      return new MysqlDialect({ pool: async () => createPool({ uri: url as string }) })
    },
  }
}

/** SQLite in a file, so that several handles (one per Kysely instance) see the same data. */
function sqliteFile(): TestDatabase {
  const file = join(tmpdir(), `chronicle-${randomUUID()}.sqlite`)
  const db = openSqlite(file)
  return {
    ...db,
    url: file,
    async drop() {
      await db.drop()
      rmSync(file, { force: true })
    },
  }
}

/** Kysely's log events, and a way to wait for one. */
class Log {
  readonly events: LogEvent[] = []
  readonly #waiting: { match: (event: LogEvent) => boolean; resolve: (event: LogEvent) => void }[] =
    []
  add(event: LogEvent): void {
    this.events.push(event)
    for (const waiter of this.#waiting.filter((w) => w.match(event))) waiter.resolve(event)
  }
  next(match: (event: LogEvent) => boolean): Promise<LogEvent> {
    return new Promise((resolve) => this.#waiting.push({ match, resolve }))
  }
}

const available = Object.fromEntries(
  await Promise.all(DATABASES.map(async (kind) => [kind, await isAvailable(kind)] as const)),
)

for (const kind of DATABASES) {
  describe.skipIf(!available[kind])(
    `kysely:${kind} behaves as without Chronicle${available[kind] ? '' : ' (server not reachable: skipped)'}`,
    () => {
      let target: Target
      let next = 0
      const row = () => userRow(target.database.dialect, ++next)

      beforeAll(async () => {
        target = await openTarget(kind)
      })
      afterAll(async () => {
        await target?.database.drop()
      })

      /** Runs `work` on a plain and on an audited Kysely with the same `log` option. */
      async function both<T>(
        work: (db: Kysely<DB>, log: Log) => Promise<T>,
      ): Promise<{ plain: T; audited: T }> {
        const run = async (audited: boolean) => {
          const log = new Log()
          const audit = auditPlugin<DB>({ tables: { users: {} } })
          const dialect = audited ? audit.dialect(target.dialect()) : target.dialect()
          const db = new Kysely<DB>({ dialect, log: (event) => log.add(event) })
          try {
            return await work(db, log)
          } finally {
            await db.destroy()
            await audit.destroy()
          }
        }
        return { plain: await run(false), audited: await run(true) }
      }

      it('log sees BEGIN, SET TRANSACTION, savepoints, COMMIT and ROLLBACK of transactions', async () => {
        const { plain, audited } = await both(async (db, log) => {
          await db
            .transaction()
            .setIsolationLevel('serializable')
            .execute(async (trx) => {
              await trx.insertInto('users').values(row()).execute()
            })
          await db
            .transaction()
            .execute(async (trx) => {
              await trx.insertInto('users').values(row()).execute()
              throw new Error('roll back')
            })
            .catch(() => undefined)
          const trx = await db.startTransaction().execute()
          const inner = await trx.savepoint('a').execute()
          await inner.insertInto('users').values(row()).execute()
          await inner.rollbackToSavepoint('a').execute()
          const again = await trx.savepoint('b').execute()
          await again.releaseSavepoint('b').execute()
          await trx.commit().execute()
          // Emails differ between the runs; the statements must not.
          return log.events.map((event) => event.query.sql)
        })
        expect(plain.length).toBeGreaterThan(3)
        expect(plain.some((text) => /^begin|^start transaction/i.test(text))).toBe(true)
        expect(plain.some((text) => /^savepoint/i.test(text))).toBe(true)
        // On SQLite an audited transaction opens with BEGIN IMMEDIATE, the one deliberate
        // difference: it takes the write lock up front so a sealer cannot fail it later.
        const normalised = audited.map((text) => text.replace(/^BEGIN IMMEDIATE$/, 'begin'))
        expect(normalised).toEqual(plain)
      })

      it('a failing audited write’s error stack leads back to the caller', async () => {
        const { plain, audited } = await both(async (db) => {
          const duplicate = row()
          await db.insertInto('users').values(duplicate).execute()
          const error = await db
            .insertInto('users')
            .values(duplicate)
            .execute()
            .then(
              () => undefined,
              (reason: unknown) => reason as Error,
            )
          return error?.stack
        })
        // (Kysely's own test, under mocha, checks the last line; vitest's runner adds frames.)
        expect(plain).toMatch(/at .*kysely-transparency\.test\.ts/)
        expect(audited).toMatch(/at .*kysely-transparency\.test\.ts/)
      })

      it('a connection offers the same query cancellation as the dialect’s own', async () => {
        const { plain, audited } = await both(async (db) => {
          // The strategies Kysely accepts are those the connection implements.
          const accepted: string[] = []
          for (const strategy of ['cancel query', 'kill session'] as const) {
            const signal = new AbortController().signal
            await sql`select 1`
              .execute(db, { signal, inflightQueryAbortStrategy: strategy })
              .then(() => accepted.push(strategy))
              .catch(() => undefined)
          }
          return accepted
        })
        expect(plain).toEqual(kind === 'sqlite' ? [] : ['cancel query', 'kill session'])
        expect(audited).toEqual(plain)
      })

      it.skipIf(kind === 'sqlite')(
        'an AbortSignal cancels a running raw query on the server',
        async () => {
          const sleep = kind === 'postgres' ? 'select pg_sleep(10)' : 'select sleep(10)'
          const running =
            kind === 'postgres'
              ? `SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND query = '${sleep}'`
              : `SELECT COUNT(*) AS n FROM information_schema.processlist WHERE db = database() AND info = '${sleep}'`
          const cancelled = kind === 'postgres' ? /canceling statement/ : /interrupted/
          const { plain, audited } = await both(async (db, log) => {
            const controller = new AbortController()
            const outcome = sql
              .raw(sleep)
              .execute(db, {
                signal: controller.signal,
                inflightQueryAbortStrategy: 'cancel query',
              })
              .then(
                () => 'completed',
                (error: unknown) =>
                  error === controller.signal.reason ? 'aborted' : String(error),
              )
            const done = log.next((event) => event.query.sql === sleep)
            // Abort once the server runs the query (no timer: each poll is a round trip).
            for (let polls = 0; polls < 1000; polls++) {
              const [count] = await target.database.exec(running)
              if (Number(count?.n) > 0) break
            }
            controller.abort()
            if ((await outcome) !== 'aborted') return { outcome: await outcome }
            // Kysely stops waiting at once; the query itself must end with the server's cancel.
            const event = await done
            return {
              outcome: await outcome,
              failed: event.level === 'error' ? String(event.error) : 'not cancelled',
            }
          })
          expect(plain).toEqual({ outcome: 'aborted', failed: expect.stringMatching(cancelled) })
          expect(audited).toEqual(plain)
        },
      )

      it('one audit.dialect(…) serves several Kysely instances, each with its own connections', async () => {
        const audit = auditPlugin<DB>({ tables: { users: {} } })
        const dialect = audit.dialect(target.dialect())
        const first = new Kysely<DB>({ dialect })
        const second = new Kysely<DB>({ dialect })
        const before = (await audit.logs({ limit: 1000 })).items.length
        await first.insertInto('users').values(row()).execute()
        await second.insertInto('users').values(row()).execute()
        await first.destroy()
        await second.insertInto('users').values(row()).execute()
        const third = new Kysely<DB>({ dialect })
        await third.insertInto('users').values(row()).execute()
        await second.destroy()
        await third.insertInto('users').values(row()).execute()
        await third.destroy()
        // With every instance gone, the audit's own queries open (and audit.destroy() closes) a driver.
        expect((await audit.logs({ limit: 1000 })).items.length - before).toBe(5)
        await audit.destroy()
      })
    },
  )
}
