import type { SqlConnection, SqlDatabase, SqlResult } from '@chronicle/core/adapter'
import mysql from 'mysql2/promise'
import type { OpenDatabase } from './open-database.js'
import { pooledTransaction, probe } from './pooled-transaction.js'

function connectionOf(client: mysql.Pool | mysql.PoolConnection): SqlConnection {
  return {
    async query<R>(sql: string, params: readonly unknown[]): Promise<SqlResult<R>> {
      const [result] = await client.query(sql, [...params])
      if (Array.isArray(result)) return { rows: result as R[] }
      const header = result as mysql.ResultSetHeader
      return {
        rows: [],
        affectedRows: BigInt(header.affectedRows),
        changedRows: BigInt(header.changedRows ?? 0),
        insertId: BigInt(header.insertId),
      }
    },
  }
}

/** Core's {@link SqlDatabase} over a small mysql2 pool (MySQL and MariaDB). */
export async function mysqlDatabase(url: string): Promise<OpenDatabase> {
  const pool = mysql.createPool({ uri: url, connectionLimit: 2, connectTimeout: 5000 })
  const database: SqlDatabase = {
    ...connectionOf(pool),
    async transaction(work) {
      const connection = await pool.getConnection()
      return pooledTransaction(connectionOf(connection), () => connection.release(), work)
    },
  }
  await probe(database, () => pool.end())
  return { dialect: 'mysql', database, close: () => pool.end() }
}
