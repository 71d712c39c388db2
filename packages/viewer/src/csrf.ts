import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { ViewerPrincipal } from './options.js'
import { ViewerHttpError } from './responses.js'

/**
 * CSRF tokens bound to the principal: HMAC(secret, actorId). A page of another site can
 * neither read the token (no CORS) nor forge it (no secret), and a token leaked for one
 * actor is useless for another.
 */
export interface Csrf {
  token(principal: ViewerPrincipal): string
  /** Throws 403 CSRF unless the request is same-origin and carries the principal's token. */
  check(request: Request, url: URL, principal: ViewerPrincipal): void
}

const refuse = (message: string) => new ViewerHttpError(403, 'CSRF', message)

export function createCsrf(secret: string = randomBytes(32).toString('base64url')): Csrf {
  const token = (principal: ViewerPrincipal) =>
    createHmac('sha256', secret)
      .update(`chronicle-viewer\0${principal.actorId ?? ''}`)
      .digest('base64url')
  return {
    token,
    check(request, url, principal) {
      // Browsers send these on every POST; a proxy may change the scheme, never the host.
      if (request.headers.get('sec-fetch-site') === 'cross-site') {
        throw refuse('cross-site requests are refused')
      }
      const origin = request.headers.get('origin')
      if (origin !== null && (origin === 'null' || safeHost(origin) !== url.host)) {
        throw refuse(`origin ${origin} is not this site`)
      }
      const sent = Buffer.from(request.headers.get('x-csrf-token') ?? '')
      const expected = Buffer.from(token(principal))
      if (sent.length !== expected.length || !timingSafeEqual(sent, expected)) {
        throw refuse('X-CSRF-Token is missing or wrong: take csrfToken from GET api/session')
      }
    },
  }
}

function safeHost(origin: string): string | undefined {
  try {
    return new URL(origin).host
  } catch {
    return undefined
  }
}
