import type { AuditEntry } from '@chronicle/core'
import type { ViewerPrincipal } from './options.js'
import { ViewerHttpError } from './responses.js'

const forbidden = (message: string) => new ViewerHttpError(403, 'FORBIDDEN', message)

/** Endpoints that span every actor (stats, a row's state) are for scope `'all'` only. */
export function requireScopeAll(principal: ViewerPrincipal): void {
  if (principal.scope !== 'all') throw forbidden('this endpoint needs scope "all"')
}

/**
 * The actor a filter must be held to: `undefined` for scope `'all'`, the principal's own id
 * for `'self'` (asking for another actor's entries is refused, not silently narrowed).
 */
export function actorFilter(
  principal: ViewerPrincipal,
  asked: string | undefined,
): string | undefined {
  if (principal.scope === 'all') return asked
  if (principal.scope !== 'self' || principal.actorId === null) {
    throw forbidden('a "self" principal needs an actorId')
  }
  if (asked !== undefined && asked !== principal.actorId) {
    throw forbidden('a "self" principal sees only its own entries')
  }
  return principal.actorId
}

/** True when the principal may see the entry. */
export function canSee(principal: ViewerPrincipal, entry: AuditEntry): boolean {
  return (
    principal.scope === 'all' || (principal.actorId !== null && entry.actorId === principal.actorId)
  )
}

/** Restore and revert: scope `'all'` with `canRestore`. */
export function requireRestore(principal: ViewerPrincipal): void {
  if (principal.scope !== 'all' || principal.canRestore !== true) {
    throw forbidden('restore and revert need canRestore (and scope "all")')
  }
}
