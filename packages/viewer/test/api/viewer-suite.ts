import { type DatabaseKind, isAvailable } from '@chronicle/test-kit'
import { afterEach, describe, expect, it } from 'vitest'
import { createViewer } from '../../src/index.js'
import { authorizeByBearer, type Demo, demoDatabase, listen } from './harness.js'

const BASE = '/admin/audit'

/** The viewer's HTTP API, over a real server, against one real database. */
export async function viewerSuite(kind: DatabaseKind) {
  const available = await isAvailable(kind)
  describe.skipIf(!available)(`viewer:${kind}`, () => {
    const cleanups: (() => Promise<void>)[] = []
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
    })

    /** The demo database behind a viewer mounted at BASE on a node:http server. */
    async function start() {
      const demo: Demo = await demoDatabase(kind)
      cleanups.push(() => demo.close())
      const errors: unknown[] = []
      const viewer = createViewer({
        audit: demo.audit,
        basePath: BASE,
        authorize: authorizeByBearer,
        onError: (error) => errors.push(error),
      })
      const server = await listen((req, res) => viewer.node(req, res))
      cleanups.push(() => server.close())
      const get = (path: string, as?: string, init: RequestInit = {}) =>
        fetch(`${server.url}${BASE}${path}`, {
          ...init,
          headers: { ...(as ? { authorization: `Bearer ${as}` } : {}), ...init.headers },
        })
      const getJson = async (path: string, as = 'admin') => {
        const response = await get(path, as)
        return { status: response.status, body: (await response.json()) as any, response }
      }
      return { demo, viewer, server, get, getJson, errors }
    }

    it('entries: pages through every entry with cursors, newest first', async () => {
      const { getJson } = await start()
      const ids: number[] = []
      let cursor: string | null = null
      let pages = 0
      do {
        const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''
        const { status, body } = await getJson(`/api/entries?limit=3${query}`)
        expect(status).toBe(200)
        expect(body.items.length).toBeLessThanOrEqual(3)
        ids.push(...body.items.map((e: { id: number }) => e.id))
        cursor = body.nextCursor
        pages += 1
      } while (cursor)
      expect(ids).toEqual([8, 7, 6, 5, 4, 3, 2, 1])
      expect(pages).toBe(3)
    })

    it('401 without a principal, for the API and the pages alike', async () => {
      const { get } = await start()
      for (const path of ['/api/entries', '/api/session', '/openapi.json', '/', '/entries/1']) {
        const response = await get(path)
        expect(response.status, path).toBe(401)
        expect(await response.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } })
      }
    })
  })
}
