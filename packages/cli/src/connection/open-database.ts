import { existsSync } from 'node:fs'
import type { DialectName } from '@chronicle/core'
import type { SqlDatabase } from '@chronicle/core/adapter'
import { CliError } from '../errors.js'
import { type DatabaseTarget, describeTarget } from './database-url.js'
import { mysqlDatabase } from './mysql-database.js'
import { postgresDatabase } from './postgres-database.js'
import { sqliteDatabase } from './sqlite-database.js'

/** A connected database, as core's query API takes it. */
export interface OpenDatabase {
  readonly dialect: DialectName
  readonly database: SqlDatabase
  close(): Promise<void>
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH'])

/** Why a connection failed, in words an operator can act on. */
function explain(error: unknown, target: DatabaseTarget): string {
  const where = describeTarget(target)
  const code = (error as { code?: unknown } | null)?.code
  const message = error instanceof Error ? error.message : String(error)
  if (typeof code === 'string' && UNREACHABLE.has(code)) {
    return `cannot reach the ${target.dialect === 'mysql' ? 'MySQL/MariaDB' : 'PostgreSQL'} server at ${where} (${code}): is it running, and are host and port right?`
  }
  if (/timeout/i.test(message)) return `connecting to ${where} timed out: is the server reachable?`
  return `cannot connect to ${where}: ${message}`
}

/**
 * Connects with the CLI's own drivers. SQLite files must exist unless `create` (init):
 * a typo in the path would otherwise create an empty database.
 */
export async function openDatabase(
  target: DatabaseTarget,
  options: { create?: boolean } = {},
): Promise<OpenDatabase> {
  try {
    if (target.dialect === 'sqlite') {
      if (!options.create && target.file !== ':memory:' && !existsSync(target.file)) {
        throw new CliError(
          `no SQLite database at ${target.file}: check the path (chronicle init creates the audit tables in an existing or new file)`,
        )
      }
      return sqliteDatabase(target.file, { create: options.create ?? false })
    }
    return target.dialect === 'postgres'
      ? await postgresDatabase(target.url)
      : await mysqlDatabase(target.url)
  } catch (error) {
    if (error instanceof CliError) throw error
    throw new CliError(explain(error, target), 1, { cause: error })
  }
}
