import { createPool as createCallbackPool, type Pool as MysqlPool } from 'mysql2'
import pg from 'pg'

type Hook = { readonly match: RegExp; readonly run: () => Promise<void> }

/**
 * Runs code under the driver, between two statements of an audited client: the next
 * statement matching `match` waits until `run` has finished. Races are forced this way,
 * deterministically, never by sleeping. `setUp` fires them from the client's
 * `ClientSettings.beforeQuery`, which each adapter factory calls under its ORM's driver.
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
  /** The sessions' time zone: PostgreSQL `TimeZone`, MariaDB `time_zone` (an offset). */
  readonly timeZone?: string
  /** MariaDB: mysql2 `dateStrings`. */
  readonly dateStrings?: boolean
}

/** A pg pool for the audited client. */
export function createPgPool(url: string, options: PoolOptions = {}): pg.Pool {
  return new pg.Pool({
    connectionString: url,
    max: options.max ?? 4,
    ...(options.timeZone && { options: `-c TimeZone=${options.timeZone}` }),
  })
}

/** A mysql2 callback pool (what Kysely's MysqlDialect takes) for the audited client. */
export function createMysqlPool(url: string, options: PoolOptions = {}): MysqlPool {
  const pool = createCallbackPool({
    uri: url,
    connectionLimit: options.max ?? 4,
    ...(options.exactIntegers && { supportBigNumbers: true, bigNumberStrings: true }),
    ...(options.dateStrings && { dateStrings: true }),
  })
  const session = [
    ...(options.readCommitted ? ['SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED'] : []),
    ...(options.timeZone ? [`SET time_zone = '${options.timeZone}'`] : []),
  ]
  if (session.length > 0) {
    pool.on('connection', (connection) => {
      for (const statement of session) connection.query(statement)
    })
  }
  return pool
}
