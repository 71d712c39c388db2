import { isChronicleError } from '@chronicle/core'

/** Sent with every response: the pages run only their own script and style, never framed. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
}

/** Codes the viewer itself answers with, beside core's ChronicleError codes. */
export type ViewerErrorCode =
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'CSRF'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'PAYLOAD_TOO_LARGE'
  | 'INVALID_REQUEST'
  | 'INTERNAL'

/** A refusal a handler throws; turned into `{ error: { code, message } }` with `status`. */
export class ViewerHttpError extends Error {
  readonly status: number
  readonly code: ViewerErrorCode
  readonly headers: Readonly<Record<string, string>>

  constructor(
    status: number,
    code: ViewerErrorCode,
    message: string,
    headers: Readonly<Record<string, string>> = {},
  ) {
    super(message)
    this.name = 'ViewerHttpError'
    this.status = status
    this.code = code
    this.headers = headers
  }
}

export function withSecurityHeaders(headers: Record<string, string>): Headers {
  return new Headers({ ...SECURITY_HEADERS, ...headers })
}

/** A JSON response; `body` must already be plain JSON (see `toJsonValue`). */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: withSecurityHeaders({
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      ...headers,
    }),
  })
}

const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  NOT_FOUND: 404,
  UNKNOWN_TABLE: 404,
  CONFLICT: 409,
  SCHEMA_DRIFT: 409,
}

/** Failures the caller caused (a bad filter, a missing entry): their message is safe to show. */
const CLIENT_CODES: ReadonlySet<string> = new Set([
  'INVALID_FILTER',
  'INVALID_ACTION',
  'INVALID_IDENTIFIER',
  'MISSING_PRIMARY_KEY',
  'NOT_FOUND',
  'UNKNOWN_TABLE',
  'CONFLICT',
  'SCHEMA_DRIFT',
  'UNSUPPORTED',
])

/**
 * The response for a failure: a refusal as it is, a ChronicleError the caller caused with
 * its code and message (400, 404 or 409), anything else as a 500 without details.
 */
export function errorResponse(error: unknown, onError: (error: unknown) => void): Response {
  if (error instanceof ViewerHttpError) {
    return json(
      { error: { code: error.code, message: error.message } },
      error.status,
      error.headers,
    )
  }
  if (isChronicleError(error) && CLIENT_CODES.has(error.code)) {
    const message = error.message.replace(/^\[chronicle\] /, '')
    return json({ error: { code: error.code, message } }, STATUS_BY_CODE[error.code] ?? 400)
  }
  onError(error)
  return json(
    { error: { code: 'INTERNAL', message: 'the viewer failed; see the server log' } },
    500,
  )
}
