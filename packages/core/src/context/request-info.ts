import { randomUUID } from 'node:crypto'
import { isIP } from 'node:net'
import { ChronicleError } from '../errors/chronicle-error.js'
import type { AuditContext } from './audit-context.js'
import type { AuditActor, AuditContextMiddlewareOptions } from './audit-context-middleware.js'

/** A request as the shared logic sees it, whatever the server API (node:http or fetch). */
export interface RequestView {
  /** `name` is lower-case; repeated headers come joined with `, `. */
  header(name: string): string | undefined
  readonly method: string | undefined
  readonly url: string | undefined
  readonly socketAddress: string | undefined
}

/** The request-reading half of the middlewares, built once from their options. */
export interface RequestContextResolver<Req, Rest extends unknown[]> {
  /** Lower-case header the request id is read from and echoed in; `undefined` when disabled. */
  readonly requestIdHeader: string | undefined
  /** Never calls user code, so the id exists even when `context` rejects. */
  requestId(view: RequestView): string
  /** Rejects with the error of a throwing `getIp`, `actor` or `metadata` callback. */
  context(view: RequestView, requestId: string, req: Req, rest: Rest): Promise<AuditContext>
}

const MAX_USER_AGENT = 512
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const BRACKETED_V6 = /^\[([^\]]+)\](?::\d+)?$/
const V4_WITH_PORT = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/
const MAPPED_V4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i

/** A bare IP address, or `undefined` for anything that is not one. */
export function normalizeIp(raw: string | null | undefined): string | undefined {
  let address = raw?.trim()
  if (!address) return undefined
  // Some proxies (Azure's among them) append the client's port to X-Forwarded-For.
  address = BRACKETED_V6.exec(address)?.[1] ?? V4_WITH_PORT.exec(address)?.[1] ?? address
  // Dual-stack sockets report IPv4 clients as `::ffff:a.b.c.d`; store the address users know.
  address = MAPPED_V4.exec(address)?.[1] ?? address
  return isIP(address) === 0 ? undefined : address
}

/**
 * The client's address. `hops` is how many proxies in front of us are trusted: 0 ignores
 * X-Forwarded-For, `Infinity` takes its left-most valid entry, N takes its Nth entry from the
 * right (the one the outermost trusted proxy wrote; the left-most when there are fewer).
 */
export function clientIp(
  peer: string | undefined,
  forwardedFor: string | undefined,
  hops: number,
): string | undefined {
  if (hops === 0 || !forwardedFor) return peer
  const entries = forwardedFor.split(',')
  if (hops === Number.POSITIVE_INFINITY) {
    for (const entry of entries) {
      const address = normalizeIp(entry)
      if (address) return address
    }
    return peer
  }
  // Strictly positional: skipping a malformed entry would shift a client-written one into the slot.
  return normalizeIp(entries[Math.max(0, entries.length - hops)]) ?? peer
}

/** The URL's path without query or fragment; accepts origin-form (`/a?b`) and absolute URLs. */
export function pathOf(url: string | undefined): string | undefined {
  if (!url) return undefined
  if (url.startsWith('/')) return url.split(/[?#]/, 1)[0]
  try {
    return new URL(url).pathname
  } catch {
    return undefined
  }
}

function trustedHops(trustProxy: boolean | number | undefined): number {
  if (trustProxy === undefined || trustProxy === false) return 0
  if (trustProxy === true) return Number.POSITIVE_INFINITY
  if (Number.isInteger(trustProxy) && trustProxy >= 0) return trustProxy
  throw new ChronicleError(
    'UNSUPPORTED',
    `trustProxy must be true, false or a hop count (an integer ≥ 0), got ${trustProxy}`,
  )
}

function requestIdHeaderOf(name: string | false | undefined): string | undefined {
  if (name === false) return undefined
  if (name === undefined) return 'x-request-id'
  if (HEADER_NAME.test(name)) return name.toLowerCase()
  throw new ChronicleError('UNSUPPORTED', `requestIdHeader "${name}" is not a valid header name`)
}

function actorOf(actor: AuditActor, defaultType: string): AuditContext {
  const { id, type } =
    typeof actor === 'object' && actor !== null ? actor : { id: actor, type: null }
  if (id === null || id === undefined || id === '') return {}
  return { actorId: String(id), actorType: type ?? defaultType }
}

/** Validates the options once, when the middleware is built, not on every request. */
export function requestContextResolver<Req, Rest extends unknown[]>(
  options: AuditContextMiddlewareOptions<Req, Rest>,
): RequestContextResolver<Req, Rest> {
  const hops = trustedHops(options.trustProxy)
  const requestIdHeader = requestIdHeaderOf(options.requestIdHeader)
  const actorType = options.actorType ?? 'user'
  return {
    requestIdHeader,
    requestId(view) {
      const incoming = requestIdHeader && view.header(requestIdHeader)
      return incoming && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID()
    },
    async context(view, requestId, req, rest) {
      const peer = normalizeIp(options.getIp?.(req, ...rest)) ?? normalizeIp(view.socketAddress)
      const defaults: Record<string, unknown> = { requestId }
      if (view.method) defaults.method = view.method
      const path = pathOf(view.url)
      if (path) defaults.path = path
      const [actor, extra] = await Promise.all([
        options.actor?.(req, ...rest),
        options.metadata?.(req, ...rest),
      ])
      return {
        ...actorOf(actor, actorType),
        ipAddress: clientIp(peer, view.header('x-forwarded-for'), hops),
        userAgent: view.header('user-agent')?.slice(0, MAX_USER_AGENT) || undefined,
        metadata: { ...defaults, ...extra },
      }
    },
  }
}
