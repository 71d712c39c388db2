import { randomUUID } from 'node:crypto'
import type { SqlConnection, SqlDatabase, SqlResult } from '@chronicle/core/adapter'
import Database from 'better-sqlite3'
import type { OpenDatabase } from './open-database.js'

/** Core's {@link SqlDatabase} over one better-sqlite3 handle (SQLite has one writer anyway). */
export function sqliteDatabase(file: string, options: { create: boolean }): OpenDatabase {
  const sqlite = new Database(file, { fileMustExist: !options.create })
  sqlite.pragma('busy_timeout = 5000')
  const connection: SqlConnection = {
    async query<R>(sql: string, params: readonly unknown[]): Promise<SqlResult<R>> {
      const statement = sqlite.prepare(sql)
      if (statement.reader) return { rows: statement.all(...params) as R[] }
      const result = statement.run(...params)
      return {
        rows: [],
        affectedRows: BigInt(result.changes),
        insertId: BigInt(result.lastInsertRowid),
      }
    },
  }
  const database: SqlDatabase = {
    query: connection.query,
    async transaction(work) {
      // IMMEDIATE: take the write lock up front, waiting on busy_timeout, as core's dialect asks.
      sqlite.exec('BEGIN IMMEDIATE')
      try {
        const result = await work(connection, randomUUID())
        sqlite.exec('COMMIT')
        return result
      } catch (error) {
        if (sqlite.inTransaction) sqlite.exec('ROLLBACK')
        throw error
      }
    },
  }
  return { dialect: 'sqlite', database, close: async () => void sqlite.close() }
}
