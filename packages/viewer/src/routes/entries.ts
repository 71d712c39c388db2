import type { RouteContext } from '../context.js'
import { ENTRY_FILTERS } from '../entry-filters.js'
import { entryJson } from '../entry-json.js'
import { entryFilter, integerParam, queryParams, requiredInteger } from '../params.js'
import { json, ViewerHttpError } from '../responses.js'
import { actorFilter, canSee } from '../scope.js'

/** `GET api/entries`: every `logs` filter and cursor paging; a self principal sees its own. */
export async function listEntries({ url, principal, viewer }: RouteContext): Promise<Response> {
  const query = queryParams(url, [...ENTRY_FILTERS, 'cursor', 'limit'])
  const filter = entryFilter(query)
  const page = await viewer.audit.logs({
    ...filter,
    actorId: actorFilter(principal, filter.actorId),
    cursor: query.cursor,
    limit: integerParam(query.limit, 'limit'),
  })
  return json({
    items: page.items.map((entry) => entryJson(entry, viewer.label)),
    nextCursor: page.nextCursor,
  })
}

/** `GET api/entries/:id`: another actor's entry answers as a missing one does, to a self principal. */
export async function getEntry({
  url,
  params,
  principal,
  viewer,
}: RouteContext): Promise<Response> {
  queryParams(url, [])
  const id = requiredInteger(params.id, 'id')
  const entry = await viewer.audit.entry(id)
  if (!canSee(principal, entry)) {
    throw new ViewerHttpError(404, 'NOT_FOUND', `audit entry ${id} does not exist`)
  }
  return json(entryJson(entry, viewer.label))
}
