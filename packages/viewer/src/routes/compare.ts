import { toJsonValue } from '@chronicle/core'
import type { RouteContext } from '../context.js'
import { queryParams, requiredInteger } from '../params.js'
import { json, ViewerHttpError } from '../responses.js'
import { canSee } from '../scope.js'

/** `GET api/compare?a=&b=`: two versions of a row; a self principal must see both entries. */
export async function compareEntries({ url, principal, viewer }: RouteContext) {
  const query = queryParams(url, ['a', 'b'])
  const a = requiredInteger(query.a, 'a')
  const b = requiredInteger(query.b, 'b')
  for (const id of [a, b]) {
    if (!canSee(principal, await viewer.audit.entry(id))) {
      throw new ViewerHttpError(404, 'NOT_FOUND', `audit entry ${id} does not exist`)
    }
  }
  return json(toJsonValue(await viewer.audit.compare(a, b)))
}
