/** Stable error codes: match on `error.code`, never on the message. */
export type ChronicleErrorCode =
  | 'UNKNOWN_TABLE'
  | 'MISSING_PRIMARY_KEY'
  | 'MISSING_AUDIT_TABLE'
  | 'INVALID_FILTER'
  | 'INVALID_ACTION'
  | 'INVALID_IDENTIFIER'
  | 'NOT_FOUND'
  | 'SCHEMA_DRIFT'
  | 'CONFLICT'
  | 'INTEGRITY'
  | 'UNSUPPORTED'
  /**
   * A row held an integer beyond 2^53 that the driver gave as a JS number, so it may already
   * be rounded: enable exact integers in the driver (the message says how) instead of
   * recording a value the database does not hold.
   */
  | 'UNSAFE_INTEGER'
  /** A value longer than the audit table's column can store (the message names the limit). */
  | 'VALUE_TOO_LONG'

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
export class ChronicleError extends Error {
  readonly code: ChronicleErrorCode
  readonly table: string | undefined
  readonly entityId: string | undefined
  readonly auditId: number | undefined

  constructor(code: ChronicleErrorCode, message: string, details: ChronicleErrorDetails = {}) {
    super(`[chronicle] ${message}`, details.cause === undefined ? {} : { cause: details.cause })
    this.name = 'ChronicleError'
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
  return error instanceof ChronicleError && (code === undefined || error.code === code)
}
