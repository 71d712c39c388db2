import type { RouteContext } from './context.js'
import { compareEntries } from './routes/compare.js'
import { entityDiff, entityHistory, entityState } from './routes/entities.js'
import { getEntry, listEntries } from './routes/entries.js'
import { exportEntries } from './routes/export.js'
import { restoreEntry, revertTransaction } from './routes/restore.js'
import { session } from './routes/session.js'
import { stats } from './routes/stats.js'

/** One JSON endpoint: `path` is relative to the mount, `:name` matches one path segment. */
export interface ApiRoute {
  readonly method: 'GET' | 'POST'
  readonly path: string
  readonly handle: (context: RouteContext) => Promise<Response>
}

/** Every JSON endpoint; `openapi.json` (served beside them) documents exactly these. */
export const API_ROUTES: readonly ApiRoute[] = [
  { method: 'GET', path: '/api/session', handle: session },
  { method: 'GET', path: '/api/entries', handle: listEntries },
  { method: 'GET', path: '/api/entries/:id', handle: getEntry },
  { method: 'POST', path: '/api/entries/:id/restore', handle: restoreEntry },
  { method: 'GET', path: '/api/tables/:table/entities/:entityId/history', handle: entityHistory },
  { method: 'GET', path: '/api/tables/:table/entities/:entityId/state', handle: entityState },
  { method: 'GET', path: '/api/tables/:table/entities/:entityId/diff', handle: entityDiff },
  { method: 'GET', path: '/api/compare', handle: compareEntries },
  { method: 'GET', path: '/api/stats', handle: stats },
  { method: 'GET', path: '/api/export.jsonl', handle: exportEntries },
  { method: 'POST', path: '/api/transactions/:transactionId/revert', handle: revertTransaction },
]

/** The pages: each serves the UI's index.html, which reads its route from the URL. */
export const PAGE_PATHS: readonly string[] = [
  '/',
  '/activity',
  '/entries/:id',
  '/tables/:table/entities/:entityId',
]

/** Path parameters when `pattern` matches `path` (both relative to the mount), else undefined. */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/')
  const got = path.split('/')
  if (want.length !== got.length) return undefined
  const params: Record<string, string> = {}
  for (const [i, segment] of want.entries()) {
    const actual = got[i] as string
    if (segment.startsWith(':')) {
      if (actual === '') return undefined
      try {
        params[segment.slice(1)] = decodeURIComponent(actual)
      } catch {
        return undefined
      }
    } else if (segment !== actual) {
      return undefined
    }
  }
  return params
}
