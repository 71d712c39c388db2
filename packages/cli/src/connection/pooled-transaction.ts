import { randomUUID } from 'node:crypto'
import type { SqlConnection } from '@chronicle/core/adapter'

/** BEGIN … COMMIT on one pooled connection, ROLLBACK on failure, released either way. */
export async function pooledTransaction<T>(
  connection: SqlConnection,
  release: () => void,
  work: (connection: SqlConnection, transactionId: string) => Promise<T>,
): Promise<T> {
  try {
    await connection.query('BEGIN', [])
    const result = await work(connection, randomUUID())
    await connection.query('COMMIT', [])
    return result
  } catch (error) {
    await connection.query('ROLLBACK', []).catch(() => {})
    throw error
  } finally {
    release()
  }
}

/** Connects once now, so a wrong host or password is reported before any command runs. */
export async function probe(pool: SqlConnection, end: () => Promise<void>): Promise<void> {
  try {
    await pool.query('SELECT 1', [])
  } catch (error) {
    await end().catch(() => {})
    throw error
  }
}
