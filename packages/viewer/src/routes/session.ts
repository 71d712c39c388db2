import type { RouteContext } from '../context.js'
import { queryParams } from '../params.js'
import { json } from '../responses.js'

/** `GET api/session`: who is asking, the CSRF token for POSTs, and the page title. */
export async function session({ url, principal, viewer }: RouteContext) {
  queryParams(url, [])
  return json({
    principal: {
      actorId: principal.actorId,
      scope: principal.scope,
      canRestore: principal.scope === 'all' && principal.canRestore === true,
      name: principal.name ?? null,
    },
    csrfToken: viewer.csrf.token(principal),
    title: viewer.title,
  })
}
