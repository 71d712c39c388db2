import type { Page } from './context.js'
import { entryPage } from './pages/entry-page.js'
import { activityPage, logPage } from './pages/log-page.js'
import { timelinePage } from './pages/timeline-page.js'

const ROUTES: [RegExp, Page][] = [
  [/^\/?$/, logPage],
  [/^\/activity$/, activityPage],
  [/^\/entries\/([^/]+)$/, entryPage],
  [/^\/tables\/([^/]+)\/entities\/([^/]+)$/, timelinePage],
]

/** The page for a path under the mount, with its decoded path parameters. */
export function route(path: string): { page: Page; params: string[] } | null {
  for (const [pattern, page] of ROUTES) {
    const match = pattern.exec(path)
    if (match) return { page, params: match.slice(1).map(decodeURIComponent) }
  }
  return null
}

/** The URL of a click the router should handle (a plain left click on a page link under the mount), or null. */
export function routable(event: MouseEvent, base: string): URL | null {
  if (event.defaultPrevented || event.button !== 0) return null
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return null
  const anchor = (event.target as Element | null)?.closest?.('a')
  if (!anchor || anchor.target || anchor.hasAttribute('download')) return null
  const url = new URL(anchor.href)
  if (url.origin !== location.origin) return null
  // In-page links (the skip link) are the browser's to follow.
  if (url.pathname === location.pathname && url.search === location.search && url.hash) return null
  const path = url.pathname.slice(base.length)
  if (!url.pathname.startsWith(base) || (path !== '' && !path.startsWith('/'))) return null
  if (path.startsWith('/api/') || path.startsWith('/assets/') || path === '/openapi.json')
    return null
  return url
}
