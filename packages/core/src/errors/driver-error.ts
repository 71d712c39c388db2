import type { SqlDialect } from '../store/dialect.js'
import { ChronicleError } from './chronicle-error.js'

/** The one message for a missing audit table: it says how to create it. */
export function missingAuditTable(auditTable: string, cause?: unknown): ChronicleError {
  return new ChronicleError(
    'MISSING_AUDIT_TABLE',
    `the audit table "${auditTable}" does not exist: create it with createAuditTable(db) or \`chronicle init\``,
    { cause },
  )
}

/**
 * The audit table's "no such table" (`42P01`, `ER_NO_SUCH_TABLE`, SQLite's message) as
 * MISSING_AUDIT_TABLE, whenever it is raised: the table may be dropped after the check at
 * first use. Anything else is returned as it is.
 */
export function translateMissingAuditTable(
  error: unknown,
  dialect: SqlDialect,
  auditTable: string,
): unknown {
  const own = [auditTable, `${auditTable}_chain`, `${auditTable}_anchors`]
  // An ORM may wrap the driver's error (Drizzle's DrizzleQueryError): look through causes.
  for (let link = error, depth = 0; link instanceof Error && depth < 4; depth++) {
    const missing = dialect.missingTable(link)
    if (missing !== undefined && own.includes(missing)) return missingAuditTable(auditTable, error)
    link = link.cause
  }
  return error
}

/**
 * What an API call's failure becomes: a ChronicleError as it is, the audit table's absence as
 * MISSING_AUDIT_TABLE, and any other failure of the database as DATABASE_ERROR with `cause`.
 */
export function translateDriverError(
  error: unknown,
  dialect: SqlDialect,
  auditTable: string,
): ChronicleError {
  if (error instanceof ChronicleError) return error
  const translated = translateMissingAuditTable(error, dialect, auditTable)
  if (translated instanceof ChronicleError) return translated
  const message = error instanceof Error ? error.message : String(error)
  return new ChronicleError('DATABASE_ERROR', `the database failed: ${message}`, { cause: error })
}

/** Runs one API call so that whatever it throws is a ChronicleError. */
export async function guardApiCall<T>(
  engine: { readonly dialect: SqlDialect; readonly options: { readonly auditTable: string } },
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work()
  } catch (error) {
    throw translateDriverError(error, engine.dialect, engine.options.auditTable)
  }
}

/** {@link guardApiCall} for a stream of results: a failure mid-iteration is a ChronicleError too. */
export async function* guardApiStream<T>(
  engine: { readonly dialect: SqlDialect; readonly options: { readonly auditTable: string } },
  source: AsyncIterable<T>,
): AsyncGenerator<T> {
  try {
    yield* source
  } catch (error) {
    throw translateDriverError(error, engine.dialect, engine.options.auditTable)
  }
}
