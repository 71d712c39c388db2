import type { IncomingMessage, ServerResponse } from 'node:http'
import { UiAssets } from './assets.js'
import type { ViewerState } from './context.js'
import { createCsrf } from './csrf.js'
import { labeller } from './labels.js'
import { nodeHandler } from './node-adapter.js'
import { openApiDocument } from './openapi.js'
import type { ViewerOptions, ViewerPrincipal } from './options.js'
import { errorResponse, json, ViewerHttpError } from './responses.js'
import { API_ROUTES, matchPath, PAGE_PATHS } from './router.js'

/** A mounted viewer: the same handler as a fetch function and as Node middleware. */
export interface Viewer {
  /** For Hono, Next.js route handlers, Bun, Deno: 404 for paths outside the mount. */
  fetch(request: Request): Promise<Response>
  /** For `node:http`, Express, Connect: calls `next()` for paths outside the mount, else 404. */
  node(req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void): void
}

/** `'/admin/audit/'` → `'/admin/audit'`, `'/'` → `''`. */
export function normaliseBasePath(basePath = '/'): string {
  const trimmed = basePath.trim().replace(/\/+$/, '')
  if (trimmed === '') return ''
  if (!/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/.test(trimmed) || trimmed.includes('//')) {
    throw new TypeError(
      `basePath must be a URL path like '/admin/audit', got ${JSON.stringify(basePath)}`,
    )
  }
  return trimmed
}

/**
 * The audit viewer: pages, their assets and a JSON API under one mount path, each API and
 * page request authorized by `authorize`.
 *
 * ### Examples
 * ```ts
 * const viewer = createViewer({
 *   audit,
 *   basePath: '/admin/audit',
 *   authorize: (request) => {
 *     const user = sessionUser(request)
 *     if (!user) return null                                          // 401
 *     return user.isAdmin
 *       ? { actorId: user.id, scope: 'all', canRestore: true, name: user.name }
 *       : { actorId: user.id, scope: 'self', name: user.name }       // only their own entries
 *   },
 * })
 * app.use(viewer.node)                                  // Express / Connect / node:http
 * app.all('/admin/audit/*', (c) => viewer.fetch(c.req.raw))   // Hono
 * ```
 */
export function createViewer(options: ViewerOptions): Viewer {
  if (typeof options?.authorize !== 'function') {
    throw new TypeError('createViewer needs authorize(request): who is asking, or null')
  }
  const onError = options.onError ?? ((error: unknown) => console.error(error))
  const state: ViewerState = Object.freeze({
    audit: options.audit,
    basePath: normaliseBasePath(options.basePath),
    title: options.title ?? 'Audit log',
    label: labeller(options.labels),
    csrf: createCsrf(options.secret),
  })
  const assets = new UiAssets()

  /** The path below the mount (`'/'` for the mount itself), or undefined outside it. */
  const relativePath = (pathname: string) => {
    if (state.basePath === '') return pathname
    if (pathname === state.basePath) return '/'
    return pathname.startsWith(`${state.basePath}/`)
      ? pathname.slice(state.basePath.length)
      : undefined
  }

  async function principalOf(request: Request): Promise<ViewerPrincipal> {
    let principal: ViewerPrincipal | null
    try {
      principal = await options.authorize(request)
    } catch (error) {
      onError(error)
      throw new ViewerHttpError(500, 'INTERNAL', 'authorization failed')
    }
    if (principal === null || principal === undefined) {
      throw new ViewerHttpError(401, 'UNAUTHORIZED', 'sign in to see the audit log')
    }
    if (principal.scope !== 'all' && principal.scope !== 'self') {
      onError(new TypeError(`authorize returned scope ${JSON.stringify(principal.scope)}`))
      throw new ViewerHttpError(500, 'INTERNAL', 'authorization failed')
    }
    return principal
  }

  async function route(request: Request, url: URL, path: string): Promise<Response> {
    if (path.startsWith('/assets/')) {
      if (request.method !== 'GET' && request.method !== 'HEAD') throw methodNotAllowed('GET')
      return assets.asset(path.slice('/assets/'.length))
    }
    if (path === '/openapi.json' || path.startsWith('/api/')) {
      const principal = await principalOf(request)
      if (path === '/openapi.json') {
        if (request.method !== 'GET') throw methodNotAllowed('GET')
        return json(openApiDocument(state.basePath, state.title))
      }
      const matches = API_ROUTES.flatMap((r) => {
        const params = matchPath(r.path, path)
        return params ? [{ route: r, params }] : []
      })
      if (matches.length === 0) throw new ViewerHttpError(404, 'NOT_FOUND', `no endpoint ${path}`)
      const match = matches.find((m) => m.route.method === request.method)
      if (!match) throw methodNotAllowed(matches.map((m) => m.route.method).join(', '))
      return match.route.handle({ request, url, params: match.params, principal, viewer: state })
    }
    if (PAGE_PATHS.some((page) => matchPath(page, path) !== undefined)) {
      if (request.method !== 'GET' && request.method !== 'HEAD') throw methodNotAllowed('GET')
      await principalOf(request)
      return assets.page(state.basePath)
    }
    throw new ViewerHttpError(404, 'NOT_FOUND', `no page ${path}`)
  }

  async function fetch(request: Request): Promise<Response> {
    const url = new URL(request.url)
    const path = relativePath(url.pathname)
    try {
      if (path === undefined) throw new ViewerHttpError(404, 'NOT_FOUND', 'outside the viewer')
      return await route(request, url, path)
    } catch (error) {
      return errorResponse(error, onError)
    }
  }

  return {
    fetch,
    node: nodeHandler(fetch, (pathname) => relativePath(pathname) !== undefined, onError),
  }
}

const methodNotAllowed = (allow: string) =>
  new ViewerHttpError(405, 'METHOD_NOT_ALLOWED', `use ${allow}`, { Allow: allow })
