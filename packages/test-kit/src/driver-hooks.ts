import { createPool as createCallbackPool, type Pool as MysqlPool } from 'mysql2'
import pg from 'pg'

type Hook = { readonly match: RegExp; readonly run: () => Promise<void> }

/**
 * Runs code under the driver, between two statements of an audited client: the next
 * statement matching `match` waits until `run` has finished. Races are forced this way,
 * deterministically, never by sleeping.
 */
export class DriverHooks {
  readonly #hooks: Hook[] = []

  /** Before the next statement whose SQL matches `match`, once. */
  before(match: RegExp, run: () => Promise<void>): void {
    this.#hooks.push({ match, run })
  }

  /** Runs and removes the first hook matching `sql`, if any. */
  async fire(sql: string): Promise<void> {
    const index = this.#hooks.findIndex((hook) => hook.match.test(sql))
    if (index < 0) return
    const [hook] = this.#hooks.splice(index, 1)
    await hook?.run()
  }

  get pending(): number {
    return this.#hooks.length
  }
}

export interface PoolOptions {
  readonly max?: number
  /** Every session runs at READ COMMITTED (PostgreSQL's default; MariaDB's is REPEATABLE READ). */
  readonly readCommitted?: boolean
  /** MariaDB: BIGINT values as exact decimal text (`supportBigNumbers`, `bigNumberStrings`). */
  readonly exactIntegers?: boolean
}

/** A pg pool whose clients fire `hooks` before each text query. */
export function hookedPgPool(url: string, hooks: DriverHooks, options: PoolOptions = {}): pg.Pool {
  class HookedClient extends pg.Client {
    // biome-ignore lint/suspicious/noExplicitAny: pg's query has a dozen overloads; all are forwarded.
    override query(...args: any[]): any {
      const text = typeof args[0] === 'string' ? args[0] : undefined
      if (text === undefined || hooks.pending === 0) return super.query(...(args as [string]))
      return hooks.fire(text).then(() => super.query(...(args as [string])))
    }
  }
  return new pg.Pool({ connectionString: url, max: options.max ?? 4, Client: HookedClient })
}

/** A mysql2 callback pool (what Kysely's MysqlDialect takes) whose connections fire `hooks`. */
export function hookedMysqlPool(
  url: string,
  hooks: DriverHooks,
  options: PoolOptions = {},
): MysqlPool {
  const pool = createCallbackPool({
    uri: url,
    connectionLimit: options.max ?? 4,
    ...(options.exactIntegers && { supportBigNumbers: true, bigNumberStrings: true }),
  })
  if (options.readCommitted) {
    pool.on('connection', (connection) => {
      connection.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED')
    })
  }
  const hooked = new WeakSet<object>()
  const getConnection = pool.getConnection.bind(pool)
  pool.getConnection = ((callback: Parameters<MysqlPool['getConnection']>[0]) =>
    getConnection((error, connection) => {
      if (connection && !hooked.has(connection)) {
        hooked.add(connection)
        const query = connection.query.bind(connection) as (...args: unknown[]) => unknown
        ;(connection as { query: unknown }).query = (...args: unknown[]) => {
          const sql = typeof args[0] === 'string' ? args[0] : undefined
          if (sql === undefined || hooks.pending === 0) return query(...args)
          // A mysql2 Query is a thenable that throws when awaited: start it, never adopt it.
          void hooks.fire(sql).then(() => {
            query(...args)
          })
          return undefined
        }
      }
      callback(error, connection)
    })) as MysqlPool['getConnection']
  return pool
}
