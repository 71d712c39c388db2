import { type EntityKey, toJsonValue } from '@chronicle/core'
import type { RouteContext } from '../context.js'
import { entryJson } from '../entry-json.js'
import { integerParam, queryParams, requiredInteger } from '../params.js'
import { json } from '../responses.js'
import { actorFilter, requireScopeAll } from '../scope.js'

/**
 * An entity id as entries carry it back to a key: a composite key's id is its JSON array
 * text; anything else is the single key's value as text.
 */
function entityKey(entityId: string): EntityKey {
  if (entityId.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(entityId)
      if (Array.isArray(parsed)) return parsed
    } catch {
      // Not JSON: a single key that happens to start with '['.
    }
  }
  return entityId
}

/** `GET api/tables/:table/entities/:entityId/history`: one row's entries, newest first, paged. */
export async function entityHistory({ url, params, principal, viewer }: RouteContext) {
  const query = queryParams(url, ['cursor', 'limit'])
  const page = await viewer.audit.logs({
    table: params.table,
    entityId: params.entityId,
    actorId: actorFilter(principal, undefined),
    cursor: query.cursor,
    limit: integerParam(query.limit, 'limit'),
  })
  return json({
    items: page.items.map((entry) => entryJson(entry, viewer.label)),
    nextCursor: page.nextCursor,
  })
}

/** `GET …/state?at=`: the row at a time (ISO date) or just after an entry (its id); default now. */
export async function entityState({ url, params, principal, viewer }: RouteContext) {
  requireScopeAll(principal)
  const { at } = queryParams(url, ['at'])
  const point = at === undefined ? new Date() : /^\d+$/.test(at) ? { auditId: Number(at) } : at
  const state = await viewer.audit
    .table(params.table ?? '')
    // Core validates the ISO text (INVALID_FILTER); its type says Date.
    .stateAt(entityKey(params.entityId ?? ''), point as Date | { auditId: number })
  return json({ state: toJsonValue(state) })
}

/** `GET …/diff?from=&to=`: the version after `from` against the one after `to` (default: now). */
export async function entityDiff({ url, params, principal, viewer }: RouteContext) {
  requireScopeAll(principal)
  const query = queryParams(url, ['from', 'to'])
  const diff = await viewer.audit.table(params.table ?? '').diff(entityKey(params.entityId ?? ''), {
    from: requiredInteger(query.from, 'from'),
    to: integerParam(query.to, 'to'),
  })
  return json(toJsonValue(diff))
}
