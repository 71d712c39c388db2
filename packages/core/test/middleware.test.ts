import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { type AuditContext, getAuditContext } from '../src/context/audit-context.js'
import {
  type AuditContextMiddlewareOptions,
  auditContextFetch,
  auditContextHono,
  auditContextMiddleware,
} from '../src/context/audit-context-middleware.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const tick = () => new Promise((resolve) => setTimeout(resolve, 1))

type Listener = (req: IncomingMessage, res: ServerResponse) => void
type Next = (error?: unknown) => void

const servers: Server[] = []
afterAll(async () => {
  await Promise.all(
    servers.map((server) => new Promise((resolve) => server.close(resolve).closeAllConnections())),
  )
})

/** Listens on port 0 and resolves to the port. */
async function listen(listener: Listener, host = '127.0.0.1'): Promise<number> {
  const server = createServer(listener)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, host, resolve)
  })
  servers.push(server)
  return (server.address() as AddressInfo).port
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status
  res.setHeader('content-type', 'application/json')
  res.end(JSON.stringify(body))
}

/** The handler under test: reads the context after an await, as real handlers do. */
async function echoContext(res: ServerResponse): Promise<void> {
  await tick()
  sendJson(res, 200, getAuditContext())
}

/** The error path: what Express's error middleware would do. */
function fail(res: ServerResponse, error: unknown): void {
  sendJson(res, 500, { error: (error as Error).message, context: getAuditContext() })
}

/** A plain node:http server wired as `createServer((req, res) => mw(req, res, next))`. */
async function serve(options?: AuditContextMiddlewareOptions, host?: string): Promise<string> {
  const audit = auditContextMiddleware(options)
  const port = await listen(
    (req, res) => audit(req, res, (error) => (error ? fail(res, error) : echoContext(res))),
    host,
  )
  return `http://127.0.0.1:${port}`
}

async function call(url: string, headers: Record<string, string> = {}, method = 'GET') {
  const response = await fetch(url, { headers, method })
  return {
    status: response.status,
    requestIdHeader: response.headers.get('x-request-id'),
    headers: response.headers,
    body: (await response.json()) as AuditContext & { error?: string; context?: AuditContext },
  }
}

describe('core: auditContextMiddleware over real node:http', () => {
  it('takes the ip from the socket and ignores X-Forwarded-For by default', async () => {
    const url = await serve()
    const { body } = await call(url, { 'x-forwarded-for': '6.6.6.6' })
    expect(body.ipAddress).toBe('127.0.0.1')
  })

  it('reports an IPv4 client of a dual-stack socket without the ::ffff: prefix', async (ctx) => {
    const url = await serve({}, '::').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EAFNOSUPPORT' || error.code === 'EADDRNOTAVAIL') return undefined
      throw error
    })
    if (!url) return ctx.skip('no IPv6 on this host')
    const { body } = await call(url)
    expect(body.ipAddress).toBe('127.0.0.1')
  })

  it('trustProxy true takes the left-most valid X-Forwarded-For address', async () => {
    const url = await serve({ trustProxy: true })
    expect((await call(url, { 'x-forwarded-for': '6.6.6.6, 1.2.3.4' })).body.ipAddress).toBe(
      '6.6.6.6',
    )
    expect((await call(url, { 'x-forwarded-for': 'unknown, ::ffff:5.5.5.5' })).body.ipAddress).toBe(
      '5.5.5.5',
    )
    expect((await call(url, { 'x-forwarded-for': '[2001:db8::1]:443' })).body.ipAddress).toBe(
      '2001:db8::1',
    )
    expect((await call(url, { 'x-forwarded-for': 'nonsense, ,' })).body.ipAddress).toBe('127.0.0.1')
  })

  it('trustProxy N takes the Nth address from the right, so a client cannot spoof it', async () => {
    const oneHop = await serve({ trustProxy: 1 })
    const spoofed = { 'x-forwarded-for': '6.6.6.6, 1.2.3.4' }
    expect((await call(oneHop, spoofed)).body.ipAddress).toBe('1.2.3.4')
    expect((await call(oneHop, { 'x-forwarded-for': '1.2.3.4:5678' })).body.ipAddress).toBe(
      '1.2.3.4',
    )
    expect((await call(oneHop)).body.ipAddress).toBe('127.0.0.1')
    // A malformed entry in the trusted slot is not skipped (that would promote 6.6.6.6).
    expect((await call(oneHop, { 'x-forwarded-for': '6.6.6.6, garbage' })).body.ipAddress).toBe(
      '127.0.0.1',
    )

    const twoHops = await serve({ trustProxy: 2 })
    expect((await call(twoHops, { 'x-forwarded-for': '9.9.9.9, 6.6.6.6, 1.2.3.4' })).body).toEqual(
      expect.objectContaining({ ipAddress: '6.6.6.6' }),
    )
  })

  it('rejects a trustProxy that is not a boolean or a hop count when built', () => {
    expect(() => auditContextMiddleware({ trustProxy: -1 })).toThrow(/trustProxy/)
    expect(() => auditContextMiddleware({ trustProxy: 1.5 })).toThrow(/trustProxy/)
    expect(() => auditContextMiddleware({ requestIdHeader: 'x request id' })).toThrow(
      /requestIdHeader/,
    )
  })

  it('carries the User-Agent, cut to 512 characters', async () => {
    const url = await serve()
    expect((await call(url, { 'user-agent': 'chronicle-test/1.0' })).body.userAgent).toBe(
      'chronicle-test/1.0',
    )
    const long = 'A'.repeat(600)
    expect((await call(url, { 'user-agent': long })).body.userAgent).toBe(long.slice(0, 512))
  })

  it('echoes a sane X-Request-Id in metadata and in the response header', async () => {
    const url = await serve()
    const { body, requestIdHeader } = await call(url, { 'x-request-id': 'req-1.a:b_C' })
    expect(body.metadata?.requestId).toBe('req-1.a:b_C')
    expect(requestIdHeader).toBe('req-1.a:b_C')
  })

  it('generates a UUID request id when the header is absent or malformed', async () => {
    const url = await serve()
    const cases: Record<string, string>[] = [
      {},
      { 'x-request-id': 'bad id!' },
      { 'x-request-id': 'a'.repeat(129) },
    ]
    for (const headers of cases) {
      const { body, requestIdHeader } = await call(url, headers)
      expect(body.metadata?.requestId).toMatch(UUID)
      expect(requestIdHeader).toBe(body.metadata?.requestId)
    }
  })

  it('keeps concurrent requests apart', async () => {
    const url = await serve()
    const ids = Array.from({ length: 20 }, (_, i) => `concurrent-${i}`)
    const results = await Promise.all(ids.map((id) => call(url, { 'x-request-id': id })))
    expect(results.map((result) => result.body.metadata?.requestId)).toEqual(ids)
  })

  it('uses a custom request id header, or none when requestIdHeader is false', async () => {
    const custom = await serve({ requestIdHeader: 'X-Correlation-Id' })
    const echoed = await call(custom, { 'x-correlation-id': 'corr-7', 'x-request-id': 'other' })
    expect(echoed.body.metadata?.requestId).toBe('corr-7')
    expect(echoed.headers.get('x-correlation-id')).toBe('corr-7')
    expect(echoed.requestIdHeader).toBeNull()

    const off = await serve({ requestIdHeader: false })
    const generated = await call(off, { 'x-request-id': 'ignored' })
    expect(generated.body.metadata?.requestId).toMatch(UUID)
    expect(generated.requestIdHeader).toBeNull()
  })

  it('records method and path (no query string) and merges custom metadata', async () => {
    const url = await serve({ metadata: (req) => ({ tenant: req.headers['x-tenant'] }) })
    const { body } = await call(`${url}/orders/7?expand=items`, { 'x-tenant': 't1' }, 'POST')
    expect(body.metadata).toEqual({
      requestId: expect.stringMatching(UUID),
      method: 'POST',
      path: '/orders/7',
      tenant: 't1',
    })
  })

  it('sets the actor from a sync id, an async object with its type, or nothing', async () => {
    const sync = await serve({ actor: (req) => req.headers['x-user'] as string | undefined })
    expect((await call(sync, { 'x-user': 'u1' })).body).toMatchObject({
      actorId: 'u1',
      actorType: 'user',
    })
    expect((await call(sync)).body).not.toHaveProperty('actorId')

    const async = await serve({
      actor: async () => {
        await tick()
        return { id: 'key_9', type: 'api_key' }
      },
    })
    expect((await call(async)).body).toMatchObject({ actorId: 'key_9', actorType: 'api_key' })

    const numeric = await serve({ actor: () => 42, actorType: 'service' })
    expect((await call(numeric)).body).toMatchObject({ actorId: '42', actorType: 'service' })
  })

  it('passes a throwing or rejecting actor to next(error), with the request id in context', async () => {
    const throwing = await serve({
      actor: () => {
        throw new Error('session store down')
      },
    })
    const thrown = await call(throwing, { 'x-request-id': 'failing-1' })
    expect(thrown.status).toBe(500)
    expect(thrown.body.error).toBe('session store down')
    expect(thrown.body.context?.metadata?.requestId).toBe('failing-1')
    expect(thrown.requestIdHeader).toBe('failing-1')

    const rejecting = await serve({ actor: () => Promise.reject(new Error('token expired')) })
    const rejected = await call(rejecting)
    expect(rejected.status).toBe(500)
    expect(rejected.body.error).toBe('token expired')
  })

  it('fits an Express-style chain: a typed request, earlier middleware, an error handler', async () => {
    type AuthedRequest = IncomingMessage & { user?: { id: string; role: string } }
    type Handler = (req: AuthedRequest, res: ServerResponse, next: Next) => void
    // The core of Express's router: call each handler in turn, route errors to the error handler.
    const chain =
      (handlers: Handler[], onError: (error: unknown, res: ServerResponse) => void): Listener =>
      (req, res) => {
        let index = 0
        const next: Next = (error) => {
          if (error) return onError(error, res)
          handlers[index++]?.(req, res, next)
        }
        next()
      }
    const authenticate: Handler = (req, _res, next) => {
      req.user = { id: String(req.headers['x-user']), role: 'admin' }
      next()
    }
    const audit = auditContextMiddleware<AuthedRequest>({
      actor: (req) => req.user && { id: req.user.id, type: req.user.role },
    })
    const port = await listen(
      chain([authenticate, audit, (_req, res) => void echoContext(res)], (error, res) =>
        fail(res, error),
      ),
    )
    const { body } = await call(`http://127.0.0.1:${port}/admin`, { 'x-user': 'ada' })
    expect(body).toMatchObject({ actorId: 'ada', actorType: 'admin', ipAddress: '127.0.0.1' })
    expect(body.metadata).toMatchObject({ method: 'GET', path: '/admin' })
  })
})

describe('core: auditContextFetch', () => {
  const handler = async () => {
    await tick()
    return Response.json(getAuditContext())
  }

  it('runs a fetch handler inside the context and adds the request id header', async () => {
    const wrapped = auditContextFetch({ actor: (req) => req.headers.get('x-user') })(handler)
    const response = await wrapped(
      new Request('http://localhost/x?y=1', {
        method: 'PUT',
        headers: { 'user-agent': 'bun/1', 'x-request-id': 'fetch-1', 'x-user': 'u2' },
      }),
    )
    expect(response.headers.get('x-request-id')).toBe('fetch-1')
    expect(await response.json()).toEqual({
      actorId: 'u2',
      actorType: 'user',
      userAgent: 'bun/1',
      metadata: { requestId: 'fetch-1', method: 'PUT', path: '/x' },
    })
  })

  it('takes the ip from getIp, with the server’s extra arguments, or a trusted X-Forwarded-For', async () => {
    type Info = { remoteAddr: { hostname: string } }
    const viaGetIp = auditContextFetch({
      getIp: (_req, info: Info) => info.remoteAddr.hostname,
    })((_req, _info) => handler())
    const request = () =>
      new Request('http://localhost/', { headers: { 'x-forwarded-for': '6.6.6.6, 1.2.3.4' } })
    const info = { remoteAddr: { hostname: '::ffff:10.0.0.5' } }
    expect(await (await viaGetIp(request(), info)).json()).toMatchObject({ ipAddress: '10.0.0.5' })

    const behindProxy = auditContextFetch({ trustProxy: 1 })(handler)
    expect(await (await behindProxy(request())).json()).toMatchObject({ ipAddress: '1.2.3.4' })
  })

  it('adds the header to a response whose headers are immutable, and keeps the handler’s own', async () => {
    const redirect = await auditContextFetch()(() =>
      Response.redirect('http://localhost/next', 302),
    )(new Request('http://localhost/', { headers: { 'x-request-id': 'redir-1' } }))
    expect(redirect.status).toBe(302)
    expect(redirect.headers.get('location')).toBe('http://localhost/next')
    expect(redirect.headers.get('x-request-id')).toBe('redir-1')

    const own = await auditContextFetch()(
      () => new Response('ok', { headers: { 'x-request-id': 'mine' } }),
    )(new Request('http://localhost/'))
    expect(own.headers.get('x-request-id')).toBe('mine')
  })

  it('rejects with the actor’s error and never calls the handler', async () => {
    let called = false
    const wrapped = auditContextFetch({ actor: () => Promise.reject(new Error('no session')) })(
      () => {
        called = true
        return new Response('ok')
      },
    )
    await expect(wrapped(new Request('http://localhost/'))).rejects.toThrow('no session')
    expect(called).toBe(false)
  })

  it('serves through a real node:http server adapter', async () => {
    type Peer = { address: string | undefined }
    const wrapped = auditContextFetch({ getIp: (_req, peer: Peer) => peer.address })(
      (_req, _peer) => handler(),
    )
    const port = await listen(async (req, res) => {
      const headers = new Headers()
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === 'string') headers.set(name, value)
      }
      const request = new Request(`http://${req.headers.host}${req.url}`, { headers })
      const response = await wrapped(request, { address: req.socket.remoteAddress })
      res.writeHead(response.status, Object.fromEntries(response.headers))
      res.end(Buffer.from(await response.arrayBuffer()))
    })
    const { body, requestIdHeader } = await call(`http://127.0.0.1:${port}/items?page=2`, {
      'user-agent': 'adapter-test',
    })
    expect(body).toMatchObject({ ipAddress: '127.0.0.1', userAgent: 'adapter-test' })
    expect(body.metadata).toEqual({ requestId: requestIdHeader, method: 'GET', path: '/items' })
    expect(requestIdHeader).toMatch(UUID)
  })
})

describe('core: auditContextHono', () => {
  type FakeContext = {
    req: { raw: Request }
    header(name: string, value: string): void
    get(key: 'user'): { id: string } | undefined
    sent: Headers
  }
  const fakeContext = (request: Request, user?: { id: string }): FakeContext => {
    const sent = new Headers()
    return {
      req: { raw: request },
      header: (name, value) => sent.set(name, value),
      get: () => user,
      sent,
    }
  }

  it('runs next() inside the context, with callbacks receiving the context c', async () => {
    const middleware = auditContextHono<FakeContext>({
      actor: (c) => c.get('user')?.id,
      getIp: () => '198.51.100.4',
    })
    const c = fakeContext(
      new Request('http://localhost/api/me?x=1', { headers: { 'user-agent': 'hono-test' } }),
      { id: 'u3' },
    )
    let seen: AuditContext | undefined
    await middleware(c, async () => {
      await tick()
      seen = getAuditContext()
    })
    expect(seen).toEqual({
      actorId: 'u3',
      actorType: 'user',
      ipAddress: '198.51.100.4',
      userAgent: 'hono-test',
      metadata: { requestId: c.sent.get('x-request-id'), method: 'GET', path: '/api/me' },
    })
    expect(c.sent.get('x-request-id')).toMatch(UUID)
  })

  it('rejects when the actor throws, so Hono’s onError handles it', async () => {
    const middleware = auditContextHono({
      actor: () => {
        throw new Error('bad token')
      },
    })
    let called = false
    await expect(
      middleware({ req: { raw: new Request('http://localhost/') } }, async () => {
        called = true
      }),
    ).rejects.toThrow('bad token')
    expect(called).toBe(false)
  })
})
