import type { AuditContext } from '../context/audit-context.js'
import { ChronicleError } from '../errors/chronicle-error.js'
import type { NewEntry } from './audit-entry.js'

/** An explicit event: something that happened that is not a row change. */
export interface AuditEvent {
  /** Dot notation `domain.resource.verb`, e.g. `billing.plan.changed`. */
  readonly action: string
  /** What it is about, e.g. `organization` (stored in `table_name`). */
  readonly targetType?: string
  /** Which one (stored in `entity_id`). */
  readonly targetId?: string | number
  readonly metadata?: Readonly<Record<string, unknown>>
  /** Overrides the context's actor for this event. */
  readonly actorId?: string
  readonly actorType?: string
}

const ACTION = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/

/** Validates an event and turns it into an entry stamped with the context. */
export function eventEntry(
  event: AuditEvent,
  context: AuditContext,
  transactionId: string,
): NewEntry {
  if (
    event === null ||
    typeof event !== 'object' ||
    typeof event.action !== 'string' ||
    !ACTION.test(event.action) ||
    event.action.length > 255
  ) {
    throw new ChronicleError(
      'INVALID_ACTION',
      `action ${JSON.stringify(event?.action)} is not dot notation like "billing.plan.changed" (lower-case segments of letters, digits and _)`,
    )
  }
  const metadata = { ...context.metadata, ...event.metadata }
  return {
    createdAt: new Date(),
    transactionId,
    action: event.action,
    tableName: event.targetType ?? null,
    entityId: event.targetId === undefined ? null : String(event.targetId),
    oldValues: null,
    newValues: null,
    changedFields: null,
    actorId: event.actorId ?? context.actorId ?? null,
    actorType: event.actorType ?? context.actorType ?? null,
    ipAddress: context.ipAddress ?? null,
    userAgent: context.userAgent ?? null,
    metadata: Object.keys(metadata).length > 0 ? metadata : null,
  }
}
