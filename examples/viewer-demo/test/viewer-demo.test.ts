import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startViewerDemo } from '../src/app.ts'

let demo: Awaited<ReturnType<typeof startViewerDemo>>
beforeAll(async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'viewer-demo-')), 'demo.db')
  demo = await startViewerDemo({ file, port: 0 })
})
afterAll(() => demo?.close())

/** A page of the viewer's `GET api/entries`. */
type Page = { items: { action: string; actorId: string | null }[] }

const get = (path: string, user?: string) =>
  fetch(`${demo.url}${path}`, { headers: user ? { 'x-demo-user': user } : {} })

it('kysely:sqlite the viewer demo serves the page and the API to the demo admin, and refuses strangers', async () => {
  const page = await get('/admin/audit/', 'admin')
  expect(page.status).toBe(200)
  expect(await page.text()).toContain('<meta name="chronicle-base" content="/admin/audit"')

  const response = await get('/admin/audit/api/entries?table=users', 'admin')
  const { items } = (await response.json()) as Page
  expect(items.map((e) => `${e.action} ${e.actorId}`)).toEqual([
    'UPDATE null', // the quickstart's restore, run without an actor
    'UPDATE bob',
    'INSERT alice',
  ])
  expect((await get('/admin/audit/api/entries')).status).toBe(401)
})

it('kysely:sqlite a demo user sees only their own entries; /login sets the demo cookie', async () => {
  const login = await fetch(`${demo.url}/login?as=bob`, { redirect: 'manual' })
  expect([login.status, login.headers.get('location')]).toEqual([303, '/admin/audit/'])
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? ''
  const mine = await fetch(`${demo.url}/admin/audit/api/entries`, { headers: { cookie } })
  const { items } = (await mine.json()) as Page
  expect(items.length).toBeGreaterThan(0)
  expect(new Set(items.map((e) => e.actorId))).toEqual(new Set(['bob']))
})

it('kysely:sqlite every request to the demo is recorded as an http.request event', async () => {
  await get('/', 'alice')
  await demo.requests.flush()
  const { items } = await demo.audit.logs({ action: 'http.request', actorId: 'alice', limit: 1 })
  expect(items[0]?.metadata).toMatchObject({ method: 'GET', path: '/', status: 200 })
})
