import { toJsonValue } from '@chronicle/core'
import type { RouteContext } from '../context.js'
import { queryParams } from '../params.js'
import { json } from '../responses.js'
import { requireScopeAll } from '../scope.js'

/** `GET api/stats?since=&until=&table=`: aggregates over every actor, so scope `'all'` only. */
export async function stats({ url, principal, viewer }: RouteContext) {
  requireScopeAll(principal)
  const { since, until, table } = queryParams(url, ['since', 'until', 'table'])
  return json(toJsonValue(await viewer.audit.stats({ since, until, table })))
}
