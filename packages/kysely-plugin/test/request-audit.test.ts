// Core's request audit, written through a real audit instance: Kysely's is the lightest to set
// up on every database, and the middleware only calls `audit.log`, which every adapter shares.
import {
  createServer,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  type AuditEntry,
  auditContextFetch,
  auditContextHono,
  auditContextMiddleware,
  type ChronicleError,
  RequestAudit,
  type RequestAuditOptions,
} from '@chronicle/core'
import { DATABASES, type Fixture, isAvailable, setUp, tearDown } from '@chronicle/test-kit'
import { afterEach, describe, expect, it } from 'vitest'
import { kyselyAdapter } from './kysely-factory.js'

const servers: Server[] = []
let fixture: Fixture | undefined
/** Responses closed so far, and who waits for a count: the middleware records on 'close'. */
let closed = 0
let waiters: { count: number; resolve: () => void }[] = []

afterEach(async () => {
  await Promise.all(
    servers
      .splice(0)
      .map((server) => new Promise((resolve) => server.close(resolve).closeAllConnections())),
  )
  await tearDown(fixture)
  fixture = undefined
  closed = 0
  waiters = []
})

/** Resolves once `count` responses have closed, so their events have been queued. */
function served(count: number): Promise<void> {
  if (closed >= count) return Promise.resolve()
  return new Promise((resolve) => waiters.push({ count, resolve }))
}

async function listen(
  listener: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<string> {
  const server = createServer((req, res) => {
    listener(req, res)
    // Registered after the middleware's own 'close' listener, so it runs after the recording.
    res.once('close', () => {
      closed++
      for (const waiter of waiters.filter((w) => w.count <= closed)) waiter.resolve()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  servers.push(server)
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** A tiny app: routes set `req.route` as Express does; a throw becomes a 500 as in Express. */
async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://x').pathname
  const order = /^\/orders\/(\d+)$/.exec(path)
  if (order) {
    Object.assign(req, { route: { path: '/orders/:id' } })
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ id: Number(order[1]) }))
  } else if (path === '/boom') {
    throw new Error('handler failed')
  } else if (path === '/stream') {
    // Never ends: the test's client goes away mid-body.
    res.writeHead(200)
    res.write('partial')
  } else if (path === '/fail') {
    res.statusCode = 500
    res.end('explicit failure')
  } else {
    res.end('ok')
  }
}

/** node:http with the middleware; the error path answers 500, as Express's does. */
function nodeApp(requests: RequestAudit): Promise<string> {
  const middleware = auditContextMiddleware({
    actor: (req) => {
      if (req.headers['x-user'] === 'expired') throw new Error('session expired')
      return req.headers['x-user'] as string | undefined
    },
    requestAudit: requests,
  })
  return listen((req, res) =>
    middleware(req, res, async (error) => {
      try {
        if (error) throw error
        await route(req, res)
      } catch {
        res.statusCode = 500
        res.end('internal error')
      }
    }),
  )
}

/** A fetch handler served over node:http, as a Bun or Deno server would. */
function fetchApp(
  requests: RequestAudit,
  handler: (request: Request) => Response | Promise<Response>,
): Promise<string> {
  const wrapped = auditContextFetch<[peer: string | undefined]>({
    actor: (request) => request.headers.get('x-user'),
    getIp: (_request, peer: string | undefined) => peer,
    requestAudit: requests,
  })((request, _peer) => handler(request))
  return listen(async (req, res) => {
    const headers = new Headers(req.headers as Record<string, string>)
    try {
      const response = await wrapped(
        new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers }),
        req.socket.remoteAddress,
      )
      res.writeHead(response.status, Object.fromEntries(response.headers))
      res.end(Buffer.from(await response.arrayBuffer()))
    } catch {
      res.statusCode = 500
      res.end('internal error')
    }
  })
}

async function events(f: Fixture): Promise<AuditEntry[]> {
  const { items } = await f.client.audit.logs({ action: 'http.request', limit: 1000 })
  return items.reverse()
}

for (const kind of DATABASES) {
  const available = await isAvailable(kind)
  describe.skipIf(!available)(
    `kysely:${kind} request audit${available ? '' : ' (server not reachable: skipped)'}`,
    () => {
      async function start(
        options: Partial<RequestAuditOptions> = {},
        beforeQuery?: (sql: string) => Promise<void>,
      ) {
        fixture = await setUp(kyselyAdapter, kind, beforeQuery ? { beforeQuery } : {})
        const errors: ChronicleError[] = []
        const requests = new RequestAudit({
          audit: fixture.client.audit,
          onError: (error) => errors.push(error),
          ...options,
        })
        return { f: fixture, requests, errors }
      }

      it('writes one event per request with actor, method, path, route, status, duration, ip, user agent and request id', async () => {
        const { f, requests, errors } = await start()
        const url = await nodeApp(requests)
        const response = await fetch(`${url}/orders/7?token=secret`, {
          headers: { 'x-user': 'u1', 'user-agent': 'audit-test/1', 'x-request-id': 'req-1' },
        })
        expect(await response.json()).toEqual({ id: 7 })
        await fetch(`${url}/other`)
        await served(2)
        await requests.flush()

        const [order, other] = await events(f)
        expect(order).toMatchObject({
          action: 'http.request',
          actorId: 'u1',
          actorType: 'user',
          ipAddress: '127.0.0.1',
          userAgent: 'audit-test/1',
        })
        expect(order?.metadata).toEqual({
          requestId: 'req-1',
          method: 'GET',
          path: '/orders/7',
          route: '/orders/:id',
          status: 200,
          durationMs: expect.any(Number),
        })
        expect(order?.metadata?.durationMs).toBeGreaterThanOrEqual(0)
        // An anonymous request carries no actor: nothing leaks from the previous one.
        expect(other).toMatchObject({ actorId: null, metadata: { path: '/other', status: 200 } })
        expect(requests.stats()).toEqual({ written: 2, failed: 0, dropped: 0, pending: 0 })
        expect(errors).toEqual([])
      })

      it('writes nothing for excluded paths', async () => {
        const { f, requests } = await start({
          exclude: ['/health', /^\/assets\//],
          action: 'app.request',
        })
        const url = await nodeApp(requests)
        for (const path of ['/health', '/health/live', '/assets/app.js', '/healthy', '/orders/1']) {
          expect((await fetch(`${url}${path}`)).status).toBe(200)
        }
        await served(5)
        await requests.flush()
        const { items } = await f.client.audit.logs({ action: 'app.request' })
        expect(items.map((entry) => entry.metadata?.path).sort()).toEqual(['/healthy', '/orders/1'])
      })

      it('records a 500 response, and a thrown handler as 500 (node:http and fetch)', async () => {
        const { f, requests } = await start()
        const url = await nodeApp(requests)
        expect((await fetch(`${url}/fail`)).status).toBe(500)
        expect((await fetch(`${url}/boom`)).status).toBe(500)
        const fetchUrl = await fetchApp(requests, () => {
          throw new Error('handler failed')
        })
        expect((await fetch(`${fetchUrl}/thrown`, { headers: { 'x-user': 'u2' } })).status).toBe(
          500,
        )
        // A throwing actor callback takes the error path; the event still has the request id.
        const expired = await fetch(`${url}/orders/1`, {
          headers: { 'x-user': 'expired', 'x-request-id': 'req-expired' },
        })
        expect(expired.status).toBe(500)
        await served(4)
        await requests.flush()
        expect((await events(f)).map((entry) => [entry.actorId, entry.metadata])).toEqual([
          [null, expect.objectContaining({ path: '/fail', status: 500 })],
          [null, expect.objectContaining({ path: '/boom', status: 500 })],
          ['u2', expect.objectContaining({ path: '/thrown', status: 500, threw: true })],
          [
            null,
            {
              requestId: 'req-expired',
              method: 'GET',
              path: '/orders/1',
              status: 500,
              durationMs: expect.any(Number),
            },
          ],
        ])
      })

      it('marks a request whose client went away mid-response as aborted', async () => {
        const { f, requests } = await start()
        const url = new URL(await nodeApp(requests))
        await new Promise<void>((resolve, reject) => {
          const req = request({ host: url.hostname, port: url.port, path: '/stream' }, (res) =>
            res.once('data', () => {
              req.destroy()
              resolve()
            }),
          )
          req.on('error', reject).end()
        })
        await served(1)
        await requests.flush()
        const [event] = await events(f)
        expect(event?.metadata).toMatchObject({ path: '/stream', status: 200, aborted: true })
      })

      it('records fetch handlers and Hono with the route Hono matched', async () => {
        const { f, requests } = await start()
        const fetchUrl = await fetchApp(requests, () => new Response('created', { status: 201 }))
        const response = await fetch(`${fetchUrl}/items?q=1`, {
          method: 'POST',
          headers: { 'x-user': 'u3', 'user-agent': 'fetch-test' },
        })
        expect([response.status, await response.text()]).toEqual([201, 'created'])

        const hono = auditContextHono({ requestAudit: requests })
        const c = {
          req: { raw: new Request('http://localhost/users/5'), routePath: '/users/:id' },
          res: new Response(null, { status: 204 }),
        }
        await hono(c, async () => {})
        await requests.flush()

        const [posted, viaHono] = await events(f)
        expect(posted).toMatchObject({
          actorId: 'u3',
          ipAddress: '127.0.0.1',
          userAgent: 'fetch-test',
          metadata: { method: 'POST', path: '/items', status: 201 },
        })
        expect(viaHono?.metadata).toMatchObject({
          method: 'GET',
          path: '/users/5',
          route: '/users/:id',
          status: 204,
        })
      })

      it('a failing audit write changes neither the response’s status nor its body', async () => {
        const { f, requests, errors } = await start()
        await f.db.exec('DROP TABLE audit_logs')
        const url = await nodeApp(requests)
        const response = await fetch(`${url}/orders/3`)
        expect([response.status, await response.json()]).toEqual([200, { id: 3 }])
        await served(1)
        await requests.flush()
        expect(requests.stats()).toMatchObject({ written: 0, failed: 1, pending: 0 })
        expect(errors.map((error) => error.code)).toEqual(['MISSING_AUDIT_TABLE'])
      })

      it('bounds the queue: with writes blocked, every response returns and only queueSize events are kept', async () => {
        let release: () => void = () => {}
        const blocked = new Promise<void>((resolve) => {
          release = resolve
        })
        let gated = false
        const { f, requests, errors } = await start({ queueSize: 3 }, async (sql) => {
          // Hold the first audit insert: the queue's one writer waits, the queue fills.
          if (!gated && /insert into\s+\W?audit_logs/i.test(sql)) {
            gated = true
            await blocked
          }
        })
        const url = await nodeApp(requests)
        const statuses = []
        for (let i = 1; i <= 7; i++) statuses.push((await fetch(`${url}/orders/${i}`)).status)
        expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200])
        await served(7)
        expect(requests.stats()).toEqual({ written: 0, failed: 0, dropped: 4, pending: 3 })
        expect(errors.map((error) => error.code)).toEqual(Array(4).fill('AUDIT_DROPPED'))

        release()
        await requests.flush()
        expect((await events(f)).map((entry) => entry.metadata?.path)).toEqual([
          '/orders/1',
          '/orders/2',
          '/orders/3',
        ])
        expect(requests.stats()).toEqual({ written: 3, failed: 0, dropped: 4, pending: 0 })
      })
    },
  )
}

describe('core: RequestAudit options', () => {
  const audit = { log: async () => {} }
  it('refuses an action that is not dot notation and a queue size below 1', () => {
    expect(() => new RequestAudit({ audit, action: 'Request' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ACTION' }),
    )
    expect(() => new RequestAudit({ audit, queueSize: 0 })).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED' }),
    )
  })
})
