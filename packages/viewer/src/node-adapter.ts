import type { IncomingMessage, ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { TLSSocket } from 'node:tls'

/** Express and Connect keep the full URL here when a router strips its mount from `url`. */
type NodeRequest = IncomingMessage & { originalUrl?: string; body?: unknown }

/**
 * Runs a fetch handler for Node's `http` (and Express, Connect): the request becomes a web
 * `Request` (its body streamed, or the one a body parser already read), the `Response` is
 * streamed back with backpressure, and a client that goes away aborts both.
 */
export function nodeHandler(
  fetch: (request: Request) => Promise<Response>,
  inMount: (pathname: string) => boolean,
  onError: (error: unknown) => void,
) {
  return (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void): void => {
    const target = (req as NodeRequest).originalUrl ?? req.url ?? '/'
    if (next && !inMount(target.split('?')[0] ?? '/')) {
      next()
      return
    }
    serve(req as NodeRequest, res, target, fetch).catch((error: unknown) => {
      if (next) {
        next(error)
        return
      }
      onError(error)
      if (!res.headersSent) {
        res.statusCode = 500
        res.end()
      } else {
        res.destroy()
      }
    })
  }
}

async function serve(
  req: NodeRequest,
  res: ServerResponse,
  target: string,
  fetch: (request: Request) => Promise<Response>,
): Promise<void> {
  const aborted = new AbortController()
  res.on('close', () => {
    if (!res.writableFinished) aborted.abort()
  })
  const request = toRequest(req, target, aborted.signal)
  if (request === undefined) {
    res.statusCode = 400
    res.end()
    return
  }
  const response = await fetch(request)
  res.statusCode = response.status
  for (const [name, value] of response.headers) {
    if (name !== 'set-cookie') res.setHeader(name, value)
  }
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) res.setHeader('set-cookie', cookies)
  if (response.body === null || req.method === 'HEAD') {
    res.end()
    return
  }
  try {
    await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), res)
  } catch (error) {
    // A client that went away is not a failure of ours; the stream was cancelled.
    if (!aborted.signal.aborted) throw error
  }
}

/** The web Request for a Node request, or undefined when its Host makes no URL. */
function toRequest(req: NodeRequest, target: string, signal: AbortSignal): Request | undefined {
  const protocol = (req.socket as TLSSocket).encrypted ? 'https' : 'http'
  let url: URL
  try {
    url = new URL(target, `${protocol}://${req.headers.host ?? 'localhost'}`)
  } catch {
    return undefined
  }
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    // HTTP/2 pseudo-headers (`:path`) are not headers a Request takes.
    if (value === undefined || name.startsWith(':')) continue
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item)
  }
  const method = req.method ?? 'GET'
  if (method === 'GET' || method === 'HEAD') return new Request(url, { method, headers, signal })
  // A body parser (express.json()) has read the stream already: send on what it parsed.
  if (req.readableEnded && req.body !== undefined) {
    const body =
      typeof req.body === 'string' || req.body instanceof Uint8Array
        ? req.body
        : JSON.stringify(req.body)
    return new Request(url, { method, headers, signal, body })
  }
  return new Request(url, {
    method,
    headers,
    signal,
    body: Readable.toWeb(req) as ReadableStream<Uint8Array>,
    duplex: 'half',
  } as RequestInit)
}
