import type { IncomingMessage } from 'node:http'
import { DATABASES, type DatabaseKind, isAvailable } from '@chronicle/test-kit'
import { afterEach, describe, expect, it } from 'vitest'
import { createViewer } from '../../src/index.js'
import { authorizeByBearer, type Demo, demoDatabase, listen, XSS } from './harness.js'

const BASE = '/admin/audit'

const ids = (body: { items: { id: number }[] }) => body.items.map((e) => e.id)

/** The viewer's HTTP API, over a real node:http server, against one real database. */
export async function viewerSuite(kind: DatabaseKind) {
  const available = DATABASES.includes(kind) && (await isAvailable(kind))
  describe.skipIf(!available)(`viewer:${kind}`, () => {
    const cleanups: (() => Promise<void>)[] = []
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
    })

    async function seed(): Promise<Demo> {
      const demo = await demoDatabase(kind)
      cleanups.push(() => demo.close())
      return demo
    }

    async function serve(listener: Parameters<typeof listen>[0]) {
      const server = await listen(listener)
      cleanups.push(() => server.close())
      return server
    }

    /** The demo database behind a viewer mounted at BASE, served by `viewer.node`. */
    async function start() {
      const demo = await seed()
      const errors: unknown[] = []
      const viewer = createViewer({
        audit: demo.audit,
        basePath: BASE,
        authorize: authorizeByBearer,
        onError: (error) => errors.push(error),
      })
      const server = await serve((req, res) => viewer.node(req, res))
      const get = (path: string, as?: string, init: RequestInit = {}) =>
        fetch(`${server.url}${BASE}${path}`, {
          ...init,
          headers: { ...(as ? { authorization: `Bearer ${as}` } : {}), ...init.headers },
        })
      const getJson = async (path: string, as = 'admin') => {
        const response = await get(path, as)
        return { status: response.status, body: (await response.json()) as any, response }
      }
      const tokenOf = async (as: string) => (await getJson('/api/session', as)).body.csrfToken
      /** A POST as a browser page of the viewer sends it: same origin, JSON, the CSRF token. */
      const post = async (
        path: string,
        body: unknown,
        as = 'admin',
        headers: Record<string, string> = {},
      ) => {
        const response = await get(path, as, {
          method: 'POST',
          body: JSON.stringify(body),
          headers: {
            'content-type': 'application/json',
            origin: server.url,
            'x-csrf-token': await tokenOf(as),
            ...headers,
          },
        })
        return { status: response.status, body: (await response.json()) as any }
      }
      const row = async (sql: string) => (await demo.db.exec(sql))[0]
      const entryCount = async () => (await getJson('/api/entries?limit=1000')).body.items.length
      return { demo, viewer, server, get, getJson, post, tokenOf, row, entryCount, errors }
    }

    it('entries: pages through every entry with cursors, newest first', async () => {
      const { getJson } = await start()
      const seen: number[] = []
      let cursor: string | null = null
      let pages = 0
      do {
        const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''
        const { status, body } = await getJson(`/api/entries?limit=3${query}`)
        expect(status).toBe(200)
        expect(body.items.length).toBeLessThanOrEqual(3)
        seen.push(...ids(body))
        cursor = body.nextCursor
        pages += 1
      } while (cursor)
      expect(seen).toEqual([8, 7, 6, 5, 4, 3, 2, 1])
      expect(pages).toBe(3)
    })

    it('entries: each filter of logs, as query parameters', async () => {
      const { getJson, demo } = await start()
      const list = async (query: string) => {
        const { status, body } = await getJson(`/api/entries?${query}`)
        expect(status, query).toBe(200)
        return ids(body)
      }
      expect(await list('table=users')).toEqual([6, 4, 3, 2, 1])
      expect(await list('actorId=bob')).toEqual([8, 4, 3])
      expect(await list('action=UPDATE')).toEqual([8, 6, 4, 2])
      expect(await list('action=billing')).toEqual([7])
      expect(await list('action=billing.*')).toEqual([7])
      expect(await list('table=users&entityId=1')).toEqual([6, 2, 1])
      expect(await list(`transactionId=${demo.adminTransaction}`)).toEqual([6, 5])
      expect(await list('since=2000-01-01&until=2999-01-01&table=orders')).toEqual([8, 5])
      expect(await list('since=2999-01-01')).toEqual([])
      expect(await list('until=2000-01-01T00:00:00Z')).toEqual([])
      // An empty field, as a form sends it, is no filter.
      expect(await list('table=&actorId=')).toHaveLength(8)
    })

    it('entries: an entry as JSON with its label; a stored <script> is a plain JSON string under a CSP', async () => {
      const { get, getJson } = await start()
      const { status, body, response } = await getJson('/api/entries/2')
      expect(status).toBe(200)
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8')
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self'")
      expect(body).toMatchObject({
        id: 2,
        action: 'UPDATE',
        label: 'Updated',
        tableName: 'users',
        entityId: '1',
        actorId: 'alice',
        oldValues: { name: 'Alice' },
        newValues: { id: 1, name: XSS, password_hash: '[REDACTED]' },
        changedFields: ['name'],
      })
      expect(new Date(body.createdAt).toISOString()).toBe(body.createdAt)
      const raw = await (await get('/api/entries/2', 'admin')).text()
      expect(raw).toContain(JSON.stringify(XSS))
      expect((await getJson('/api/entries/7')).body).toMatchObject({
        action: 'billing.plan.changed',
        label: 'Billing plan changed',
      })
      expect((await getJson('/api/entries/999')).status).toBe(404)
    })

    it('history, state, diff, compare and stats', async () => {
      const { getJson } = await start()
      const history = await getJson('/api/tables/users/entities/1/history?limit=2')
      expect(ids(history.body)).toEqual([6, 2])
      const rest = await getJson(
        `/api/tables/users/entities/1/history?limit=2&cursor=${history.body.nextCursor}`,
      )
      expect(rest.body).toMatchObject({ items: [{ id: 1 }], nextCursor: null })
      expect(ids((await getJson('/api/tables/orders/entities/o-1/history')).body)).toEqual([8, 5])

      const alice = { id: 1, email: 'alice@example.com', name: 'Alice' }
      expect((await getJson('/api/tables/users/entities/1/state?at=1')).body).toEqual({
        state: { ...alice, password_hash: '[REDACTED]' },
      })
      expect((await getJson('/api/tables/users/entities/1/state?at=2000-01-01')).body).toEqual({
        state: null,
      })
      expect((await getJson('/api/tables/users/entities/1/state')).body.state).toMatchObject({
        email: 'alice@new.example',
        name: XSS,
      })

      const diff = await getJson('/api/tables/users/entities/1/diff?from=1&to=2')
      expect(diff.body).toMatchObject({ changedFields: ['name'], from: alice, to: { name: XSS } })
      expect(diff.body.patch).toEqual([{ op: 'replace', path: '/name', value: XSS }])
      const toNow = await getJson('/api/tables/users/entities/1/diff?from=2')
      expect(toNow.body.changedFields).toEqual(['email'])
      expect((await getJson('/api/compare?a=1&b=6')).body.changedFields.sort()).toEqual([
        'email',
        'name',
      ])

      const stats = await getJson('/api/stats')
      expect(stats.status).toBe(200)
      expect(stats.body).toMatchObject({
        total: 8,
        byAction: { UPDATE: { count: 4 }, INSERT: { count: 3 } },
        byActor: { bob: { count: 3 }, alice: { count: 2 }, admin: { count: 2 } },
      })
      expect((await getJson('/api/stats?table=orders')).body.total).toBe(2)
    })

    it('export.jsonl streams every matching entry, oldest first, one EntryJson a line', async () => {
      const { get } = await start()
      const response = await get('/api/export.jsonl', 'admin')
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8')
      expect(response.headers.get('content-security-policy')).toBeTruthy()
      const lines = (await response.text()).split('\n')
      expect(lines.pop()).toBe('')
      const entries = lines.map((line) => JSON.parse(line))
      expect(entries.map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
      expect(entries[1]).toMatchObject({ label: 'Updated', newValues: { name: XSS } })
      const users = await (await get('/api/export.jsonl?table=users&action=INSERT', 'admin')).text()
      expect(users.trim().split('\n')).toHaveLength(2)
      const bad = await get('/api/export.jsonl?since=soon', 'admin')
      expect(bad.status).toBe(400)
      expect(await bad.json()).toMatchObject({ error: { code: 'INVALID_FILTER' } })
    })

    it('export.jsonl streams thousands of entries across pages; a client that stops reading cancels it', async () => {
      const { demo, get, getJson, errors } = await start()
      const orders = Array.from({ length: 2500 }, (_, i) => ({
        order_id: `bulk-${i}`,
        total: i,
        status: 'new',
      }))
      await demo.app.insertInto('orders').values(orders).execute()
      const response = await get('/api/export.jsonl?table=orders', 'admin')
      let lines = 0
      let chunks = 0
      const decoder = new TextDecoder()
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        lines += decoder.decode(chunk).split('\n').length - 1
        chunks += 1
      }
      expect(lines).toBe(2502)
      expect(chunks).toBeGreaterThan(1)

      const aborted = new AbortController()
      const partial = await get('/api/export.jsonl', 'admin', { signal: aborted.signal })
      const reader = (partial.body as ReadableStream<Uint8Array>).getReader()
      expect((await reader.read()).done).toBe(false)
      aborted.abort()
      await reader.closed.catch(() => undefined)
      // The server is unharmed, and a client going away is not an error of the viewer's.
      expect((await getJson('/api/entries?limit=1')).body.items[0].id).toBe(2508)
      expect(errors).toEqual([])
    })

    it('a "self" principal sees only its own entries, by every URL', async () => {
      const { get, getJson } = await start()
      expect(ids((await getJson('/api/entries', 'alice')).body)).toEqual([2, 1])
      expect(ids((await getJson('/api/entries?actorId=alice', 'alice')).body)).toEqual([2, 1])
      expect(ids((await getJson('/api/entries?table=orders', 'bob')).body)).toEqual([8])
      for (const path of [
        '/api/entries?actorId=bob',
        '/api/export.jsonl?actorId=bob',
        '/api/stats',
        '/api/tables/users/entities/2/state?at=3',
        '/api/tables/users/entities/2/diff?from=3',
      ]) {
        const { status, body } = await getJson(path, 'alice')
        expect(status, path).toBe(403)
        expect(body.error.code, path).toBe('FORBIDDEN')
      }
      // Another actor's entry is answered as a missing one is: nothing tells them apart.
      const foreign = await getJson('/api/entries/3', 'alice')
      const missing = await getJson('/api/entries/9999', 'alice')
      expect(foreign.status).toBe(404)
      expect(missing.status).toBe(404)
      expect(foreign.body.error.code).toBe(missing.body.error.code)
      expect(foreign.body.error.message).toBe(missing.body.error.message.replace('9999', '3'))
      expect((await getJson('/api/compare?a=1&b=3', 'alice')).status).toBe(404)
      expect((await getJson('/api/compare?a=1&b=2', 'alice')).status).toBe(200)
      expect(ids((await getJson('/api/tables/users/entities/1/history', 'alice')).body)).toEqual([
        2, 1,
      ])
      expect(ids((await getJson('/api/tables/users/entities/1/history', 'bob')).body)).toEqual([])
      // A self principal without an actor id has no entries to see.
      expect((await getJson('/api/entries', 'nobody')).status).toBe(403)
      expect((await getJson('/api/entries/1', 'nobody')).status).toBe(404)
      const exported = await (await get('/api/export.jsonl', 'alice')).text()
      const actors = exported
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).actorId)
      expect(actors).toEqual(['alice', 'alice'])
    })

    it('session: the principal, a CSRF token bound to it, and the title', async () => {
      const { getJson } = await start()
      const admin = await getJson('/api/session', 'admin')
      expect(admin.body).toEqual({
        principal: { actorId: 'admin', scope: 'all', canRestore: true, name: 'Ada Admin' },
        csrfToken: expect.any(String),
        title: 'Audit log',
      })
      const bob = await getJson('/api/session', 'bob')
      // canRestore counts for scope "all" only.
      expect(bob.body.principal).toEqual({
        actorId: 'bob',
        scope: 'self',
        canRestore: false,
        name: null,
      })
      expect(bob.body.csrfToken).not.toBe(admin.body.csrfToken)
    })

    it('restore: dry run changes nothing; the real one changes the row and is audited', async () => {
      const { post, row, entryCount, getJson } = await start()
      const preview = await post('/api/entries/2/restore', { dryRun: true })
      expect(preview.status).toBe(200)
      expect(preview.body).toMatchObject({
        tableName: 'users',
        entityId: '1',
        applied: false,
      })
      // The row as it was before entry 2: the name, and the email changed since.
      expect(preview.body.changes).toEqual(
        expect.arrayContaining([
          { field: 'name', from: XSS, to: 'Alice' },
          { field: 'email', from: 'alice@new.example', to: 'alice@example.com' },
        ]),
      )
      expect(preview.body.changes).toHaveLength(2)
      expect((await row('SELECT name FROM users WHERE id = 1'))?.name).toBe(XSS)
      expect(await entryCount()).toBe(8)

      const done = await post('/api/entries/2/restore', {})
      expect(done.status).toBe(200)
      expect(done.body).toEqual({ ...preview.body, applied: true })
      expect(await row('SELECT name, email FROM users WHERE id = 1')).toEqual({
        name: 'Alice',
        email: 'alice@example.com',
      })
      expect((await getJson('/api/entries?limit=1')).body.items[0]).toMatchObject({
        id: 9,
        tableName: 'users',
        entityId: '1',
        actorId: 'admin',
        metadata: { restoredFrom: 2 },
      })
    })

    it('revert: dry run previews (or reports the CONFLICT), the real one undoes the transaction', async () => {
      const { demo, post, row, entryCount } = await start()
      const path = `/api/transactions/${encodeURIComponent(demo.adminTransaction)}/revert`
      // Bob changed order o-1 after the admin's transaction: a conflict unless forced.
      const conflict = await post(path, { dryRun: true })
      expect(conflict.status).toBe(409)
      expect(conflict.body.error.code).toBe('CONFLICT')
      const preview = await post(path, { dryRun: true, force: true })
      expect(preview.status).toBe(200)
      expect(preview.body).toMatchObject({
        applied: false,
        reverted: [
          { auditId: 6, action: 'UPDATE' },
          { auditId: 5, action: 'INSERT' },
        ],
      })
      expect(await entryCount()).toBe(8)
      expect((await row('SELECT email FROM users WHERE id = 1'))?.email).toBe('alice@new.example')

      const done = await post(path, { force: true })
      expect(done.body).toMatchObject({ applied: true })
      expect((await row('SELECT email FROM users WHERE id = 1'))?.email).toBe('alice@example.com')
      expect(await row("SELECT order_id FROM orders WHERE order_id = 'o-1'")).toBeUndefined()
      expect(await entryCount()).toBe(10)
    })

    it('writes are refused without canRestore, without the right CSRF token, from another origin, or not as JSON', async () => {
      const { get, post, tokenOf, row, entryCount } = await start()
      const refused = async (
        response: Promise<{ status: number; body: any }>,
        status: number,
        code: string,
      ) => {
        const { status: got, body } = await response
        expect(got, JSON.stringify(body)).toBe(status)
        expect(body.error.code).toBe(code)
      }
      await refused(post('/api/entries/2/restore', { dryRun: true }, 'reader'), 403, 'FORBIDDEN')
      await refused(post('/api/entries/1/restore', {}, 'bob'), 403, 'FORBIDDEN')
      await refused(post('/api/entries/1/restore', {}, 'alice'), 403, 'FORBIDDEN')
      const revert = '/api/transactions/anything/revert'
      await refused(post(revert, { dryRun: true }, 'reader'), 403, 'FORBIDDEN')
      await refused(
        post('/api/entries/2/restore', {}, 'admin', { 'x-csrf-token': '' }),
        403,
        'CSRF',
      )
      await refused(
        post('/api/entries/2/restore', {}, 'admin', { 'x-csrf-token': 'x'.repeat(43) }),
        403,
        'CSRF',
      )
      // A token is bound to its principal: the reader's does not work for the admin.
      await refused(
        post('/api/entries/2/restore', {}, 'admin', { 'x-csrf-token': await tokenOf('reader') }),
        403,
        'CSRF',
      )
      await refused(
        post('/api/entries/2/restore', {}, 'admin', { origin: 'https://evil.example' }),
        403,
        'CSRF',
      )
      await refused(
        post('/api/entries/2/restore', {}, 'admin', { 'sec-fetch-site': 'cross-site' }),
        403,
        'CSRF',
      )
      await refused(post(revert, {}, 'admin', { origin: 'null' }), 403, 'CSRF')
      const form = await get('/api/entries/2/restore', 'admin', {
        method: 'POST',
        body: 'dryRun=false',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-csrf-token': await tokenOf('admin'),
        },
      })
      expect(form.status).toBe(415)
      await refused(post('/api/entries/2/restore', { to: 'sideways' }), 400, 'INVALID_FILTER')
      await refused(post('/api/entries/2/restore', { dryRun: 'no' }), 400, 'INVALID_REQUEST')
      await refused(post('/api/entries/2/restore', { drop: true }), 400, 'INVALID_REQUEST')
      await refused(post('/api/entries/2/restore', [1]), 400, 'INVALID_REQUEST')
      await refused(post('/api/entries/999/restore', {}), 404, 'NOT_FOUND')
      await refused(post('/api/transactions/no-such-tx/revert', {}), 404, 'NOT_FOUND')
      expect((await get('/api/entries/2/restore', 'admin')).status).toBe(405)
      expect((await row('SELECT name FROM users WHERE id = 1'))?.name).toBe(XSS)
      expect(await entryCount()).toBe(8)
    })

    it('malformed parameters answer 400 INVALID_FILTER and change nothing', async () => {
      const { getJson, entryCount } = await start()
      for (const path of [
        '/api/entries?since=yesterday',
        '/api/entries?until=2026-13-45',
        '/api/entries?limit=0',
        '/api/entries?limit=5000',
        '/api/entries?limit=ten',
        '/api/entries?cursor=not-a-cursor',
        '/api/entries?action=drop%20table',
        '/api/entries?colour=red',
        '/api/entries?table=users&table=orders',
        '/api/entries/abc',
        '/api/entries/0',
        '/api/tables/users/entities/1/history?limit=-1',
        '/api/tables/users/entities/1/state?at=later',
        '/api/tables/users/entities/1/diff',
        '/api/tables/users/entities/1/diff?from=3',
        '/api/compare?a=1',
        '/api/stats?since=never',
        '/api/stats?actorId=bob',
      ]) {
        const { status, body } = await getJson(path)
        expect(status, path).toBe(400)
        expect(body.error.code, path).toBe('INVALID_FILTER')
        expect(body.error.message, path).not.toMatch(/^\[chronicle\]/)
      }
      expect((await getJson('/api/tables/nope/entities/1/state')).body.error.code).toBe(
        'UNKNOWN_TABLE',
      )
      expect(await entryCount()).toBe(8)
    })

    it('security headers on every response; API responses are never cached', async () => {
      const { get, server } = await start()
      const responses = [
        ['/api/entries', 'admin'],
        ['/api/entries/999', 'admin'],
        ['/api/entries', undefined],
        ['/api/nothing-here', 'admin'],
        ['/api/export.jsonl', 'admin'],
        ['/openapi.json', 'admin'],
        ['/', 'admin'],
        ['/assets/app.js', undefined],
        ['/no-such-page', 'admin'],
      ] as const
      for (const [path, as] of responses) {
        const response = await get(path, as)
        await response.arrayBuffer()
        expect(response.headers.get('content-security-policy'), path).toBe(
          "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        )
        expect(response.headers.get('x-content-type-options'), path).toBe('nosniff')
        expect(response.headers.get('referrer-policy'), path).toBe('no-referrer')
        if (path.startsWith('/api')) {
          expect(response.headers.get('cache-control'), path).toBe('no-store')
        }
      }
      const outside = await fetch(`${server.url}/elsewhere`)
      expect(outside.status).toBe(404)
      expect(outside.headers.get('content-security-policy')).toBeTruthy()
    })

    it('pages serve the UI with the mount path; assets need no principal and never leave dist/ui', async () => {
      const { get, server } = await start()
      for (const path of ['', '/', '/activity', '/entries/5', '/tables/users/entities/1']) {
        const response = await get(path, 'alice')
        expect(response.status, path).toBe(200)
        expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
        expect(await response.text()).toContain(`<meta name="chronicle-base" content="${BASE}">`)
      }
      expect((await get('/entries/5/extra', 'admin')).status).toBe(404)
      const script = await get('/assets/app.js')
      expect(script.status).toBe(200)
      expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
      for (const path of [
        '/assets/%2e%2e/index.html',
        '/assets/..%2fpackage.json',
        '/assets/nope.js',
      ]) {
        expect((await get(path)).status, path).toBe(404)
      }
      const raw = await fetch(`${server.url}${BASE}/assets/../../package.json`)
      expect(raw.status).toBe(404)
    })

    it('authorize throwing answers 500 without its details, and reports the error', async () => {
      const { getJson, errors } = await start()
      const { status, body } = await getJson('/api/entries', 'boom')
      expect(status).toBe(500)
      expect(body).toEqual({ error: { code: 'INTERNAL', message: 'authorization failed' } })
      expect(JSON.stringify(body)).not.toContain('session store')
      expect(errors).toHaveLength(1)
    })

    it('node adapter: next() for paths outside the mount, the full URL behind an Express-style mount, a parsed body', async () => {
      const demo = await seed()
      const viewer = createViewer({
        audit: demo.audit,
        basePath: `${BASE}/`,
        authorize: authorizeByBearer,
      })
      const server = await serve((req, res) =>
        viewer.node(req, res, () => {
          res.statusCode = 418
          res.end()
        }),
      )
      const as = { authorization: 'Bearer admin' }
      expect((await fetch(`${server.url}/elsewhere`, { headers: as })).status).toBe(418)
      expect((await fetch(`${server.url}${BASE}x/api/entries`, { headers: as })).status).toBe(418)
      expect((await fetch(`${server.url}${BASE}/api/entries`, { headers: as })).status).toBe(200)

      // Express: app.use('/admin/audit', express.json(), viewer.node) strips the mount from
      // req.url, keeps it in req.originalUrl, and has read the body into req.body.
      const express = await serve((req, res) => {
        const request = req as IncomingMessage & { originalUrl?: string; body?: unknown }
        request.originalUrl = req.url
        req.url = (req.url ?? '/').slice(BASE.length) || '/'
        const chunks: Buffer[] = []
        req.on('data', (chunk: Buffer) => chunks.push(chunk))
        req.on('end', () => {
          if (chunks.length > 0) request.body = JSON.parse(Buffer.concat(chunks).toString())
          viewer.node(req, res, (error) => {
            res.statusCode = error ? 500 : 418
            res.end()
          })
        })
      })
      const session: any = await (
        await fetch(`${express.url}${BASE}/api/session`, { headers: as })
      ).json()
      const restore = await fetch(`${express.url}${BASE}/api/entries/2/restore`, {
        method: 'POST',
        headers: { ...as, 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
        body: JSON.stringify({ dryRun: true }),
      })
      expect(restore.status).toBe(200)
      expect(await restore.json()).toMatchObject({ applied: false, entityId: '1' })
    })

    it('fetch handler: 404 outside the mount; labels from the app', async () => {
      const demo = await seed()
      const viewer = createViewer({
        audit: demo.audit,
        basePath: BASE,
        authorize: authorizeByBearer,
        labels: { 'billing.plan.changed': 'Plan changed', INSERT: 'Added' },
        title: 'Acme audit',
      })
      const request = (path: string) =>
        new Request(`http://app.test${path}`, { headers: { authorization: 'Bearer admin' } })
      const outside = await viewer.fetch(request('/admin'))
      expect(outside.status).toBe(404)
      const page: any = await (await viewer.fetch(request(`${BASE}/api/entries?limit=8`))).json()
      const labels = page.items.map((e: { label: string }) => e.label)
      expect(labels).toEqual([
        'Updated',
        'Plan changed',
        'Updated',
        'Added',
        'Updated',
        'Added',
        'Updated',
        'Added',
      ])
      const session: any = await (await viewer.fetch(request(`${BASE}/api/session`))).json()
      expect(session.title).toBe('Acme audit')
    })
  })
}
