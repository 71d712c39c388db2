import type { IncomingMessage, ServerResponse } from 'node:http'
import { performance } from 'node:perf_hooks'
import {
  type AuditContext,
  getAuditContext,
  mergeAuditContext,
  withAuditContext,
} from './audit-context.js'
import type { RequestAudit, RequestRecord } from './request-audit.js'
import { pathOf, type RequestView, requestContextResolver } from './request-info.js'

/** Who made a request: an id, an id with its type, or nothing for an anonymous request. */
export type AuditActor =
  | string
  | number
  | { readonly id: string | number; readonly type?: string }
  | null
  | undefined

/**
 * Options of {@link auditContextMiddleware}, {@link auditContextFetch} and {@link auditContextHono}.
 * Callbacks receive what the handler receives: the node:http request, the fetch `Request` (and the
 * server's extra arguments, such as Bun's `server` or Deno's `info`), or Hono's context `c`.
 */
export interface AuditContextMiddlewareOptions<Req = IncomingMessage, Rest extends unknown[] = []> {
  /**
   * Whether to believe `X-Forwarded-For`, which any client can send. `true` takes its left-most
   * address (only when every hop is your proxy); a number N trusts N proxies and takes the Nth
   * address from the right, as Express's `trust proxy` hop count does.
   * @default false
   */
  readonly trustProxy?: boolean | number
  /**
   * Header a sane incoming request id is read from (≤ 128 of `A-Z a-z 0-9 . _ : -`, else a new
   * UUID) and the id is echoed in on the response; `false` always generates and never echoes.
   * @default 'x-request-id'
   */
  readonly requestIdHeader?: string | false
  /** Who is making the request; a throw or rejection goes to the framework's error path. */
  readonly actor?: (req: Req, ...rest: Rest) => AuditActor | Promise<AuditActor>
  /**
   * Type of an actor returned as a bare id.
   * @default 'user'
   */
  readonly actorType?: string
  /** Merged over the default metadata `{ requestId, method, path }`. */
  readonly metadata?: (
    req: Req,
    ...rest: Rest
  ) => Record<string, unknown> | undefined | Promise<Record<string, unknown> | undefined>
  /**
   * Address of the direct peer. Defaults to the socket's for node:http; a fetch `Request` has no
   * socket, so pass e.g. `(req, server) => server.requestIP(req)?.address` on Bun.
   */
  readonly getIp?: (req: Req, ...rest: Rest) => string | null | undefined
  /**
   * Records one event per request (see {@link RequestAudit}) with the context above, after the
   * response: node:http when the response is sent or the client went away, fetch and Hono
   * when the handler has returned its `Response` (a streamed body may still be flowing).
   */
  readonly requestAudit?: RequestAudit
}

/** What {@link auditContextHono} needs of Hono's `Context`; Hono itself is not a dependency. */
export interface HonoLikeContext {
  readonly req: { readonly raw: Request; readonly routePath?: string }
  readonly res?: Response
  header?(name: string, value: string): void
}

/** One request's measurement for its request-audit event. */
interface Recording {
  /** The context the event is written with, once the request's own is known. */
  use(context: AuditContext): void
  /** Queues the event; later calls do nothing. */
  finish(status: number, extra?: Pick<RequestRecord, 'route' | 'aborted' | 'threw'>): void
}

function startRecording(
  requests: RequestAudit | undefined,
  view: RequestView,
  requestId: string,
): Recording | undefined {
  const path = pathOf(view.url)
  if (!requests || requests.excludes(path)) return undefined
  const started = performance.now()
  // Until the callbacks resolve (and if they throw), the event still carries the request id.
  let context = mergeAuditContext(getAuditContext(), { metadata: { requestId } })
  let finished = false
  return {
    use(resolved) {
      context = resolved
    },
    finish(status, extra) {
      if (finished) return
      finished = true
      const durationMs = Math.round((performance.now() - started) * 100) / 100
      requests.record(context, { method: view.method, path, status, durationMs, ...extra })
    },
  }
}

/** Express's matched route pattern, set on the request while routing. */
function expressRoute(req: IncomingMessage): string | undefined {
  const route = (req as { route?: { path?: unknown } }).route
  return typeof route?.path === 'string' ? route.path : undefined
}

function nodeView(req: IncomingMessage): RequestView {
  return {
    header(name) {
      const value = req.headers[name]
      return Array.isArray(value) ? value.join(', ') : value
    },
    method: req.method,
    // Express rewrites `req.url` inside mounted routers; `originalUrl` keeps the full path.
    url: 'originalUrl' in req && typeof req.originalUrl === 'string' ? req.originalUrl : req.url,
    socketAddress: req.socket?.remoteAddress,
  }
}

function fetchView(request: Request): RequestView {
  return {
    header: (name) => request.headers.get(name) ?? undefined,
    method: request.method,
    url: request.url,
    socketAddress: undefined,
  }
}

/** Adds the header unless the handler set its own; some responses' headers are immutable. */
function withHeader(response: Response, name: string, value: string): Response {
  if (response.headers.has(name)) return response
  try {
    response.headers.set(name, value)
    return response
  } catch {
    const copy = new Response(response.body, response)
    copy.headers.set(name, value)
    return copy
  }
}

/**
 * A node:http / Connect / Express middleware: runs the rest of the request inside
 * {@link withAuditContext}, so every entry written while handling it (after any number of
 * `await`s) carries its actor, `ipAddress`, `userAgent` and `metadata.{requestId, method, path}`.
 * Sets the `X-Request-Id` response header. A throwing `actor` is passed to `next(error)`.
 *
 * ### Examples
 * ```ts
 * // Express: type the request to reach what earlier middlewares added
 * app.use(auditContextMiddleware<express.Request>({ actor: (req) => req.user?.id, trustProxy: 1 }))
 *
 * // node:http
 * const audit = auditContextMiddleware()
 * http.createServer((req, res) => audit(req, res, (error) => (error ? fail(res, error) : handle(req, res))))
 * // audit_logs row: ip_address '203.0.113.7', user_agent 'Mozilla/5.0 …',
 * //   metadata {"requestId": "4f1c…", "method": "POST", "path": "/orders"}
 * ```
 */
export function auditContextMiddleware<
  Req extends IncomingMessage = IncomingMessage,
  Res extends ServerResponse = ServerResponse,
>(
  options: AuditContextMiddlewareOptions<Req> = {},
): (req: Req, res: Res, next: (error?: unknown) => void) => void {
  const resolver = requestContextResolver(options)
  return (req, res, next) => {
    const view = nodeView(req)
    const requestId = resolver.requestId(view)
    if (resolver.requestIdHeader && !res.headersSent) {
      res.setHeader(resolver.requestIdHeader, requestId)
    }
    const recording = startRecording(options.requestAudit, view, requestId)
    // 'close' follows 'finish' on every response, and alone comes when the client went away.
    if (recording) {
      res.once('close', () =>
        recording.finish(res.statusCode, {
          route: expressRoute(req),
          aborted: !res.writableFinished,
        }),
      )
    }
    resolver.context(view, requestId, req, []).then(
      (context) =>
        withAuditContext(context, () => {
          recording?.use(getAuditContext())
          next()
        }),
      // The error handler still gets the request id, to log or show alongside the failure.
      (error: unknown) => withAuditContext({ metadata: { requestId } }, () => next(error)),
    )
  }
}

/**
 * Wraps a fetch handler (Bun, Deno, Cloudflare Workers, Hono's `app.fetch`) so it runs inside
 * {@link withAuditContext}, as {@link auditContextMiddleware} does for node:http; the request id is
 * added to the returned `Response`. A throwing `actor` rejects the returned promise.
 *
 * ### Examples
 * ```ts
 * // Deno: the server's extra arguments reach getIp, actor and metadata (Bun: server.requestIP)
 * const withAudit = auditContextFetch({
 *   getIp: (_req, info: Deno.ServeHandlerInfo) => (info.remoteAddr as Deno.NetAddr).hostname,
 *   actor: async (req) => (await session(req))?.userId,
 * })
 * Deno.serve(withAudit((req) => app.fetch(req)))
 * // the response carries X-Request-Id; entries written inside carry the context
 * ```
 */
export function auditContextFetch<Rest extends unknown[] = unknown[]>(
  options: AuditContextMiddlewareOptions<Request, Rest> = {},
): <HandlerRest extends Rest>(
  handler: (request: Request, ...rest: HandlerRest) => Response | Promise<Response>,
) => (request: Request, ...rest: HandlerRest) => Promise<Response> {
  const resolver = requestContextResolver(options)
  return (handler) =>
    async (request, ...rest) => {
      const view = fetchView(request)
      const requestId = resolver.requestId(view)
      const recording = startRecording(options.requestAudit, view, requestId)
      try {
        const context = await resolver.context(view, requestId, request, rest)
        const response = await withAuditContext(context, () => {
          recording?.use(getAuditContext())
          return handler(request, ...rest)
        })
        recording?.finish(response.status)
        const header = resolver.requestIdHeader
        return header ? withHeader(response, header, requestId) : response
      } catch (error) {
        // The server answers a rejected handler with its own 500.
        recording?.finish(500, { threw: true })
        throw error
      }
    }
}

/**
 * A Hono middleware doing what {@link auditContextMiddleware} does; callbacks receive Hono's
 * context `c`. A throwing `actor` rejects, which Hono hands to `app.onError`.
 *
 * ### Examples
 * ```ts
 * import type { Context } from 'hono'
 * import { getConnInfo } from 'hono/bun'
 *
 * app.use(auditContextHono<Context>({
 *   getIp: (c) => getConnInfo(c).remote.address,
 *   actor: (c) => c.get('user')?.id,
 * }))
 * ```
 */
export function auditContextHono<C extends HonoLikeContext = HonoLikeContext>(
  options: AuditContextMiddlewareOptions<C> = {},
): (c: C, next: () => Promise<void>) => Promise<void> {
  const resolver = requestContextResolver(options)
  return async (c, next) => {
    const view = fetchView(c.req.raw)
    const requestId = resolver.requestId(view)
    // Before `next()`, as Hono's own request-id middleware does: Hono merges it into the response.
    if (resolver.requestIdHeader) c.header?.(resolver.requestIdHeader, requestId)
    const recording = startRecording(options.requestAudit, view, requestId)
    try {
      const context = await resolver.context(view, requestId, c, [])
      await withAuditContext(context, () => {
        recording?.use(getAuditContext())
        return next()
      })
    } catch (error) {
      recording?.finish(500, { threw: true, route: c.req.routePath })
      throw error
    }
    // After next(), routePath is the pattern of the handler that responded.
    recording?.finish(c.res?.status ?? 200, { route: c.req.routePath })
  }
}
