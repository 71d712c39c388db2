import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { auditContextMiddleware, RequestAudit } from '@chronicle/core'
import { auditPlugin } from '@chronicle/kysely'
import { createViewer, type ViewerPrincipal } from '@chronicle/viewer'
import Database from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import { auditOptions, type DB, runDemo } from 'kysely-quickstart/src/demo.ts'

/**
 * DEMO ONLY: who you are is whatever the `demo_user` cookie (set by /login?as=…) or the
 * `X-Demo-User` header says. A real app asks its own session here; never trust a client-chosen
 * name like this.
 */
const DEMO_USERS: Record<string, ViewerPrincipal> = {
  admin: { actorId: 'admin', scope: 'all', canRestore: true, name: 'Admin (demo)' },
  alice: { actorId: 'alice', scope: 'self', name: 'Alice (demo)' },
  bob: { actorId: 'bob', scope: 'self', name: 'Bob (demo)' },
}

function demoUser(headers: Headers | IncomingMessage['headers']): string | undefined {
  const get = (name: string) =>
    headers instanceof Headers ? headers.get(name) : (headers[name] as string | undefined)
  const cookie = /(?:^|;\s*)demo_user=([a-z]+)/.exec(get('cookie') ?? '')?.[1]
  const name = get('x-demo-user') ?? cookie
  return name && name in DEMO_USERS ? name : undefined
}

const landing = `<!doctype html>
<meta charset="utf-8"><title>Chronicle viewer demo</title>
<h1>Chronicle viewer demo</h1>
<p>Pick who you are (a demo cookie, not a login):</p>
<ul>
  <li><a href="/login?as=admin">admin</a>: every entry, restore allowed</li>
  <li><a href="/login?as=alice">alice</a>: only her own activity</li>
  <li><a href="/login?as=bob">bob</a>: only his own activity</li>
</ul>
<p>Every request to this app is itself recorded as an <code>http.request</code> event.</p>`

/**
 * The quickstart's data in `file`, the viewer at /admin/audit, and request audit on every
 * request. Resolves once listening; `close()` stops the server and writes what is queued.
 */
export async function startViewerDemo(options: { file: string; port?: number; host?: string }) {
  await runDemo(options.file, () => {})
  const audit = auditPlugin<DB>(auditOptions)
  const db = new Kysely<DB>({
    dialect: audit.dialect(new SqliteDialect({ database: new Database(options.file) })),
  })

  // The ~10 lines the README shows: mount the viewer, authorize each request.
  const viewer = createViewer({
    audit,
    basePath: '/admin/audit',
    authorize: (request) => {
      const name = demoUser(request.headers)
      return name ? (DEMO_USERS[name] ?? null) : null
    },
    labels: { 'http.request': 'HTTP request' },
  })

  const requests = new RequestAudit({ audit, exclude: ['/admin/audit/assets', '/favicon.ico'] })
  const withContext = auditContextMiddleware({
    actor: (req) => demoUser(req.headers),
    requestAudit: requests,
  })

  const server = createServer((req: IncomingMessage, res: ServerResponse) =>
    withContext(req, res, (error) => {
      if (error) {
        res.statusCode = 500
        res.end()
        return
      }
      const url = new URL(req.url ?? '/', 'http://demo')
      if (url.pathname === '/login') {
        const as = url.searchParams.get('as') ?? ''
        if (!(as in DEMO_USERS)) return void res.writeHead(400).end('unknown demo user')
        res.writeHead(303, {
          'set-cookie': `demo_user=${as}; Path=/; HttpOnly; SameSite=Lax`,
          location: '/admin/audit/',
        })
        return void res.end()
      }
      if (url.pathname === '/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        return void res.end(landing)
      }
      viewer.node(req, res)
    }),
  )
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 3000, options.host ?? '127.0.0.1', resolve),
  )
  const { port } = server.address() as AddressInfo
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    audit,
    requests,
    async close() {
      await new Promise((resolve) => server.close(resolve).closeAllConnections())
      await requests.flush()
      await db.destroy()
    },
  }
}
