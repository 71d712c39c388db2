import type { AuditContext } from '../context/audit-context.js'
import { ChronicleError } from '../errors/chronicle-error.js'
import { isPlainObject } from '../store/dialect.js'
import type { NewEntry } from './audit-entry.js'

/** An explicit event: something that happened that is not a row change. */
export interface AuditEvent {
  /** Dot notation `domain.resource.verb`, e.g. `billing.plan.changed`. */
  readonly action: string
  /** What it is about, e.g. `organization` (stored in `table_name`). */
  readonly targetType?: string
  /** Which one (stored in `entity_id` as text); anything but a string, number or bigint is INVALID_EVENT. */
  readonly targetId?: string | number | bigint
  readonly metadata?: Readonly<Record<string, unknown>>
  /** Overrides the context's actor for this event. */
  readonly actorId?: string
  readonly actorType?: string
}

const ACTION = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/

/** Throws INVALID_ACTION unless `action` is dot notation (`domain.resource.verb`) of ≤ 255 characters. */
export function checkAction(action: unknown): asserts action is string {
  if (typeof action !== 'string' || !ACTION.test(action) || action.length > 255) {
    throw new ChronicleError(
      'INVALID_ACTION',
      `action ${JSON.stringify(action)} is not dot notation like "billing.plan.changed" (lower-case segments of letters, digits and _)`,
    )
  }
}

const invalidEvent = (message: string) => new ChronicleError('INVALID_EVENT', message)

/** The entity id an event's target becomes: scalars only, never `"[object Object]"`. */
function targetEntityId(targetId: unknown): string | null {
  if (targetId === undefined || targetId === null) return null
  if (
    typeof targetId === 'string' ||
    typeof targetId === 'bigint' ||
    (typeof targetId === 'number' && Number.isFinite(targetId))
  ) {
    return String(targetId)
  }
  throw invalidEvent(
    `targetId must be a string, a finite number or a bigint, got ${typeof targetId === 'number' ? targetId : typeof targetId}`,
  )
}

/** Validates an event and turns it into an entry stamped with the context. */
export function eventEntry(
  event: AuditEvent,
  context: AuditContext,
  transactionId: string,
): NewEntry {
  // Optional chaining: a null or non-object event has no action, and is refused as such.
  checkAction(event?.action)
  if (event.targetType !== undefined && typeof event.targetType !== 'string') {
    throw invalidEvent(`targetType must be a string, got ${typeof event.targetType}`)
  }
  if (event.metadata !== undefined && !isPlainObject(event.metadata)) {
    throw invalidEvent('metadata must be a plain object')
  }
  const entityId = targetEntityId(event.targetId)
  const metadata = { ...context.metadata, ...event.metadata }
  return {
    createdAt: new Date(),
    transactionId,
    action: event.action,
    tableName: event.targetType ?? null,
    entityId,
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
