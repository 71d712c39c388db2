import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { withAuditContext } from '@chronicle/core'
import type { DatabaseKind } from '@chronicle/test-kit'
import { chromium, type Page } from 'playwright-core'
import { createViewer } from '../../src/index.js'
import { authorizeByBearer, type Demo, demoDatabase, listen } from '../api/harness.js'

export const CHROMIUM = '/usr/bin/chromium'

/**
 * Why the browser tests cannot run here, or null when they can. Under CI=true a missing
 * Chromium throws: CI must run these tests, never report them skipped.
 */
export function chromiumMissing(): string | null {
  if (existsSync(CHROMIUM)) return null
  const reason = `${CHROMIUM} is missing (apt-get install -y chromium)`
  if (process.env.CI === 'true') throw new Error(`${reason}, and CI=true: browser tests must run`)
  return reason
}

/** The mount path the tests use: a sub-path, as an app would mount the viewer. */
export const BASE = '/admin/audit'

/** A stored value that would run script if a page ever parsed data as HTML. */
export const XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=1">'

/** How many orders the pages' history adds: with the demo's, more than one page (50) of the log. */
const ORDERS = 60

/**
 * The API tests' demo history, then more for the pages: {@link ORDERS} orders, users 3 (its
 * name {@link XSS}) and 6 by carol, users 4 renamed by admin; all with an IP and user agent.
 * Users 4 and 6 are each changed by one test only (restore, revert).
 */
async function pagesDatabase(kind: DatabaseKind): Promise<Demo> {
  const demo = await demoDatabase(kind)
  const { app } = demo
  const as = (actorId: string, work: () => Promise<unknown>) =>
    withAuditContext(
      { actorId, actorType: 'user', ipAddress: '203.0.113.7', userAgent: 'Mozilla/5.0 (seed)' },
      work,
    )
  const orders = Array.from({ length: ORDERS }, (_, i) => ({
    order_id: `o-${String(i + 2).padStart(2, '0')}`,
    total: (i + 2) * 10,
    status: 'new',
  }))
  await as('admin', () => app.insertInto('orders').values(orders).execute())
  await as('carol', async () => {
    await app
      .insertInto('users')
      .values({ id: 3, email: 'mallory@example.com', name: XSS })
      .execute()
    await app.updateTable('users').set({ email: 'm@example.com' }).where('id', '=', 3).execute()
    await app.insertInto('users').values({ id: 6, email: 'tx@example.com', name: 'Temp' }).execute()
  })
  await as('admin', async () => {
    await app
      .insertInto('users')
      .values({ id: 4, email: 'dora@example.com', name: 'Dora' })
      .execute()
    await app.updateTable('users').set({ name: 'Dora Explorer' }).where('id', '=', 4).execute()
  })
  return demo
}

export interface Viewer {
  readonly demo: Demo
  /** The page URL of `path` under the mount. */
  url(path: string): string
  close(): Promise<void>
}

/** The pages' database of `kind` and the viewer over it, on a node:http server. */
export async function startViewer(kind: DatabaseKind): Promise<Viewer> {
  const demo = await pagesDatabase(kind)
  const viewer = createViewer({
    audit: demo.audit,
    basePath: BASE,
    title: 'Acme audit',
    authorize: authorizeByBearer,
  })
  const server = await listen((req, res) => viewer.node(req, res))
  return {
    demo,
    url: (path) => `${server.url}${BASE}${path}`,
    async close() {
      await server.close()
      await demo.close()
    },
  }
}

export interface Browser {
  /** A new tab browsing as `user` of the API tests' principals (none: no credentials at all). */
  open(user?: string): Promise<Page>
  close(): Promise<void>
}

/** Debian's Chromium, headless, on a fresh profile that nothing else shares. */
export async function startBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'chronicle-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 800 },
    locale: 'en-US',
    timezoneId: 'UTC',
  })
  return {
    async open(user) {
      const page = await context.newPage()
      if (user) await page.setExtraHTTPHeaders({ authorization: `Bearer ${user}` })
      return page
    },
    async close() {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url))

/**
 * Writes the page as `screenshots/<name>.png` for a reviewer (from SQLite only: the pages
 * match): the whole page, or on a phone what the screen shows.
 */
export async function screenshot(page: Page, kind: DatabaseKind, name: string): Promise<void> {
  if (kind !== 'sqlite') return
  mkdirSync(SCREENSHOTS, { recursive: true })
  const fullPage = (page.viewportSize()?.width ?? 0) > 600
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage })
}
