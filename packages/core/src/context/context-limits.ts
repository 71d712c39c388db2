import type { SqlDialect } from '../store/dialect.js'
import { assertFits } from '../store/text-limits.js'
import type { AuditContext } from './audit-context.js'

/**
 * Refuses, with VALUE_TOO_LONG, a context whose `actorId`, `actorType`, `ipAddress` or
 * `userAgent` the audit table cannot store; call it before the write it will stamp runs.
 */
export function assertContextFits(dialect: SqlDialect, context: AuditContext): AuditContext {
  assertFits(dialect, 'actor_id', context.actorId)
  assertFits(dialect, 'actor_type', context.actorType)
  assertFits(dialect, 'ip_address', context.ipAddress)
  assertFits(dialect, 'user_agent', context.userAgent)
  return context
}
