import type { SqlConnection, SqlDatabase, SqlResult } from '@chronicle/core/adapter'
import pg from 'pg'
import type { OpenDatabase } from './open-database.js'
import { pooledTransaction, probe } from './pooled-transaction.js'

const WRITES = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE'])

function connectionOf(client: pg.Pool | pg.PoolClient): SqlConnection {
  return {
    async query<R>(sql: string, params: readonly unknown[]): Promise<SqlResult<R>> {
      const result = await client.query(sql, [...params])
      return {
        rows: result.rows as R[],
        ...(WRITES.has(result.command) &&
          result.rowCount !== null && { affectedRows: BigInt(result.rowCount) }),
      }
    },
  }
}

/** Core's {@link SqlDatabase} over a small pg pool. */
export async function postgresDatabase(url: string): Promise<OpenDatabase> {
  const pool = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 5000 })
  // Idle clients that lose the server emit 'error'; the next query reports it instead.
  pool.on('error', () => {})
  const database: SqlDatabase = {
    ...connectionOf(pool),
    async transaction(work) {
      const client = await pool.connect()
      return pooledTransaction(connectionOf(client), () => client.release(), work)
    },
  }
  await probe(database, () => pool.end())
  return { dialect: 'postgres', database, close: () => pool.end() }
}
