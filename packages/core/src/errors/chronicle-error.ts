/** Stable error codes: match on `error.code`, never on the message. */
export type ChronicleErrorCode =
  /** A configured table does not exist, or an unaudited table is queried. */
  | 'UNKNOWN_TABLE'
  /** The configured key is missing from the table, is not its primary key or a unique index, or a row's key is NULL. */
  | 'MISSING_PRIMARY_KEY'
  /** The audit table (or its chain tables) does not exist; the message says how to create it. */
  | 'MISSING_AUDIT_TABLE'
  /** A malformed filter, key, limit, cursor, time or JSONL line. */
  | 'INVALID_FILTER'
  /** An event name that is not dot notation (`domain.resource.verb`). */
  | 'INVALID_ACTION'
  /** An event whose `targetId` is not a string, number or bigint, or whose `targetType` is not a string. */
  | 'INVALID_EVENT'
  /** A table, column or audit table name that is not a plain identifier. */
  | 'INVALID_IDENTIFIER'
  | 'NOT_FOUND'
  | 'SCHEMA_DRIFT'
  /** The row changed since (revert), a restore would not change exactly its one row, or an imported id exists with another hash. */
  | 'CONFLICT'
  | 'INTEGRITY'
  | 'UNSUPPORTED'
  /** Writing a change's entries failed: the write did not happen, or its transaction cannot commit. */
  | 'AUDIT_FAILED'
  /** The database failed a query Chronicle ran for an API call; `cause` holds the driver's error. */
  | 'DATABASE_ERROR'
  /** The stream given to `exportJsonl` or `importJsonl` failed; `cause` holds its error. */
  | 'STREAM_ERROR'
  /**
   * A row held an integer beyond 2^53 that the driver gave as a JS number, so it may already
   * be rounded: enable exact integers in the driver (the message says how) instead of
   * recording a value the database does not hold.
   */
  | 'UNSAFE_INTEGER'
  /** A value longer than the audit table's column can store (the message names the limit). */
  | 'VALUE_TOO_LONG'
  /** A request-audit event was not recorded: its queue was full (the message counts the drops so far). */
  | 'AUDIT_DROPPED'

/** Context that helps locate the failure; every field is optional. */
export interface ChronicleErrorDetails {
  readonly table?: string
  readonly entityId?: string
  readonly auditId?: number
  readonly cause?: unknown
}

/**
 * The one error type Chronicle throws. A call that throws it has changed nothing.
 *
 * ### Examples
 * ```ts
 * try {
 *   await audit.restore(42)
 * } catch (error) {
 *   if (error instanceof ChronicleError && error.code === 'SCHEMA_DRIFT') {
 *     await audit.restore(42, { allowDrift: true })
 *   }
 * }
 * ```
 */
/** Marks Chronicle's errors across copies of core, where `instanceof` cannot. */
const BRAND = Symbol.for('@chronicle/core/error')

export class ChronicleError extends Error {
  readonly code: ChronicleErrorCode
  readonly table: string | undefined
  readonly entityId: string | undefined
  readonly auditId: number | undefined

  constructor(code: ChronicleErrorCode, message: string, details: ChronicleErrorDetails = {}) {
    super(`[chronicle] ${message}`, details.cause === undefined ? {} : { cause: details.cause })
    this.name = 'ChronicleError'
    Object.defineProperty(this, BRAND, { value: true })
    this.code = code
    this.table = details.table
    this.entityId = details.entityId
    this.auditId = details.auditId
  }
}

/** True for a {@link ChronicleError}, optionally of one code. */
export function isChronicleError(
  error: unknown,
  code?: ChronicleErrorCode,
): error is ChronicleError {
  const branded =
    error instanceof ChronicleError ||
    (typeof error === 'object' && error !== null && BRAND in error)
  return branded && (code === undefined || (error as ChronicleError).code === code)
}
