import { DATABASES, type DatabaseKind, isAvailable } from '@chronicle/test-kit'
import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  BASE,
  type Browser,
  chromiumMissing,
  screenshot,
  startBrowser,
  startViewer,
  type Viewer,
  XSS,
} from './harness.js'

/** Entry ids shown in the log's rows, top to bottom. */
const rowIds = (page: Page) =>
  page
    .locator('table.entries tbody tr')
    .evaluateAll((rows) => rows.map((row) => Number(row.getAttribute('data-entry-id'))))

/** The viewer's pages in real Chromium over one database (skipped when it is unreachable, never under CI). */
export async function browserSuite(kind: DatabaseKind) {
  const missing = chromiumMissing()
  const available = missing === null && DATABASES.includes(kind) && (await isAvailable(kind))
  if (missing) console.warn(`[viewer pages:${kind}] skipped: ${missing}`)
  const name = missing ? `viewer pages:${kind} (skipped: ${missing})` : `viewer pages:${kind}`
  describe.skipIf(!available)(name, () => {
    let viewer: Viewer
    let browser: Browser
    const pages: Page[] = []
    const open = async (user: string | undefined, path: string) => {
      const page = await browser.open(user)
      pages.push(page)
      await page.goto(viewer.url(path))
      await page.locator('main[aria-busy]').waitFor({ state: 'detached' })
      return page
    }
    /** Waits for the client-side router to finish rendering after a click. */
    const settled = (page: Page) => page.locator('main[aria-busy]').waitFor({ state: 'detached' })

    beforeAll(async () => {
      viewer = await startViewer(kind)
      browser = await startBrowser()
    })
    afterEach(async () => {
      for (const page of pages.splice(0)) await page.close()
    })
    afterAll(async () => {
      await browser?.close()
      await viewer?.close()
    })

    it('admin log: every entry newest first, with + ~ - cues and labels; filters narrow it', async () => {
      const page = await open('admin', '/')
      await expect(page.locator('h1').textContent()).resolves.toBe('Audit log')
      const first = page.locator('table.entries tbody tr').first()
      await expect(first.locator('.action').textContent()).resolves.toBe('~UPDATE')
      await expect(first.getByRole('link').first().textContent()).resolves.toMatch(/^Updated/)
      await screenshot(page, kind, 'admin-log')

      await page.getByLabel('Table').fill('users')
      await page.getByLabel('Actor').fill('carol')
      await page.getByRole('button', { name: 'Filter' }).click()
      await page.waitForURL(/table=users&actorId=carol/)
      await settled(page)
      const carol = await viewer.demo.audit.logs({ table: 'users', actorId: 'carol' })
      expect(await rowIds(page)).toEqual(carol.items.map((entry) => entry.id))
      const cues = await page.locator('table.entries tbody .cue').allTextContents()
      expect(cues).toEqual(['+', '~', '+'])

      await page.getByLabel('Actor').fill('')
      await page.getByLabel('Table').fill('')
      await page.getByLabel('Action or domain').fill('billing')
      await page.getByRole('button', { name: 'Filter' }).click()
      await page.waitForURL(/action=billing/)
      await settled(page)
      const rows = page.locator('table.entries tbody tr')
      await expect(rows.count()).resolves.toBe(1)
      await expect(rows.first().textContent()).resolves.toContain('Billing plan changed')
      await expect(rows.first().locator('.cue').textContent()).resolves.toBe('•')

      // An action the API refuses: its 400 message shows beside the form, which stays usable.
      await page.getByLabel('Action or domain').fill('not an action!')
      await page.getByRole('button', { name: 'Filter' }).click()
      await expect(page.getByRole('alert').textContent()).resolves.toContain('(400)')
      await expect(page.getByLabel('Action or domain').inputValue()).resolves.toBe('not an action!')

      // A day range that ends before anything was written shows the empty state, not an error.
      await page.goto(viewer.url('/?until=2000-01-01'))
      await settled(page)
      await expect(page.locator('.empty').textContent()).resolves.toContain('No entries match')
    })

    it('admin log: Older → pages with the cursor, and ← Newest comes back', async () => {
      const page = await open('admin', '/?table=orders')
      const firstPage = await rowIds(page)
      expect(firstPage).toHaveLength(50)
      await page.getByRole('link', { name: 'Older →' }).click()
      await page.waitForURL(/cursor=/)
      await settled(page)
      const secondPage = await rowIds(page)
      const orders = await viewer.demo.audit.logs({ table: 'orders', limit: 1000 })
      expect(secondPage).toHaveLength(orders.items.length - 50)
      expect(Math.max(...secondPage)).toBeLessThan(Math.min(...firstPage))
      await expect(page.getByRole('link', { name: 'Older →' }).count()).resolves.toBe(0)
      await page.getByRole('link', { name: '← Newest' }).click()
      await settled(page)
      expect(await rowIds(page)).toEqual(firstPage)
      // The browser's Back button returns to the second page: routing goes through history.
      await page.goBack()
      await settled(page)
      expect(await rowIds(page)).toEqual(secondPage)
    })

    it('entity timeline: each entry with its field-level diff, old → new', async () => {
      const page = await open('admin', '/?table=users&actorId=bob')
      await page.getByRole('link', { name: 'Timeline of users 2' }).first().click()
      await page.waitForURL(`**${BASE}/tables/users/entities/2`)
      await settled(page)
      await expect(page.locator('h1').textContent()).resolves.toBe('users 2')
      const events = page.locator('ol.timeline > li')
      await expect(events.count()).resolves.toBe(2)
      const [rename, insert] = [events.nth(0), events.nth(1)]
      await expect(rename.locator('.event-head').textContent()).resolves.toContain('Updated')
      await expect(rename.locator('tbody tr').allTextContents()).resolves.toEqual(['nameBobBobby'])
      await expect(rename.locator('del').textContent()).resolves.toBe('Bob')
      await expect(rename.locator('ins').textContent()).resolves.toBe('Bobby')
      // A created row: every field is new, nothing was there before.
      await expect(insert.locator('del').count()).resolves.toBe(0)
      await expect(insert.locator('ins').allTextContents()).resolves.toContain('bob@example.com')
      await screenshot(page, kind, 'entity-timeline')
    })

    it('entry detail: every field, the before and after, and the transaction link', async () => {
      const [rename] = (
        await viewer.demo.audit.logs({ table: 'users', entityId: 4, action: 'UPDATE' })
      ).items
      const page = await open('admin', `/entries/${rename?.id}`)
      await expect(page.locator('h1').textContent()).resolves.toBe(`Entry ${rename?.id}`)
      const facts = Object.fromEntries(
        await page
          .locator('dl.facts dt')
          .evaluateAll((terms) =>
            terms.map((dt) => [dt.textContent, dt.nextElementSibling?.textContent]),
          ),
      )
      expect(facts).toMatchObject({
        Action: '~ UPDATE',
        Table: 'users',
        Entity: '4',
        Actor: 'admin (user)',
        'IP address': '203.0.113.7',
        'User agent': 'Mozilla/5.0 (seed)',
        Transaction: rename?.transactionId,
      })
      const changes = page.locator('section[aria-label="Changes"] tbody tr')
      await expect(changes.allTextContents()).resolves.toEqual(['nameDoraDora Explorer'])
      await expect(
        page.locator('section[aria-label="Before"] pre').textContent(),
      ).resolves.toContain('"Dora"')
      await expect(
        page.locator('section[aria-label="After"] pre').textContent(),
      ).resolves.toContain('"Dora Explorer"')
      await screenshot(page, kind, 'entry-detail')
      await page.getByRole('link', { name: rename?.transactionId ?? '' }).click()
      await settled(page)
      expect(await rowIds(page)).toEqual([rename?.id])
    })

    it('restore: Restore… shows a dry-run preview, writes nothing until Confirm, then the row changes', async () => {
      const [rename] = (
        await viewer.demo.audit.logs({ table: 'users', entityId: 4, action: 'UPDATE' })
      ).items
      const nameOf4 = async () =>
        (await viewer.demo.db.exec('SELECT name FROM users WHERE id = 4'))[0]?.name
      const page = await open('admin', `/entries/${rename?.id}`)
      await page.getByRole('button', { name: 'Restore…' }).click()
      const preview = page.locator('.preview')
      await expect(preview.textContent()).resolves.toContain('Nothing has been written yet')
      await expect(preview.locator('del').textContent()).resolves.toBe('Dora Explorer')
      await expect(preview.locator('ins').textContent()).resolves.toBe('Dora')
      expect(await nameOf4()).toBe('Dora Explorer')
      await screenshot(page, kind, 'restore-preview')

      await page.getByRole('button', { name: 'Confirm restore' }).click()
      await expect(page.getByRole('status').textContent()).resolves.toBe(
        'Restored users 4: 1 field(s) changed.',
      )
      expect(await nameOf4()).toBe('Dora')
    })

    it('revert transaction: a preview of what it undoes, then Confirm reverts it', async () => {
      const [insert] = (await viewer.demo.audit.logs({ table: 'users', entityId: 6 })).items
      const page = await open('admin', `/entries/${insert?.id}`)
      await page.getByRole('button', { name: 'Revert transaction…' }).click()
      await page.locator('.preview li').first().waitFor()
      await expect(page.locator('.preview li').allTextContents()).resolves.toEqual([
        `+INSERT users 6 entry ${insert?.id}`,
      ])
      expect(await viewer.demo.db.exec('SELECT id FROM users WHERE id = 6')).toHaveLength(1)
      await page.getByRole('button', { name: 'Confirm revert' }).click()
      await expect(page.getByRole('status').textContent()).resolves.toMatch(/1 change\(s\) undone/)
      expect(await viewer.demo.db.exec('SELECT id FROM users WHERE id = 6')).toHaveLength(0)
    })

    it('my activity: a self viewer sees only their own entries and no other entry by any URL', async () => {
      // bob may see only his own entries; his canRestore is void without scope 'all'.
      const page = await open('bob', '/')
      // The admin log is not theirs: the root sends them to their activity.
      await page.waitForURL(`**${BASE}/activity`)
      await settled(page)
      await expect(page.locator('h1').textContent()).resolves.toBe('My activity')
      const own = await viewer.demo.audit.logs({ actorId: 'bob' })
      expect(await rowIds(page)).toEqual(own.items.map((entry) => entry.id))
      await expect(page.getByLabel('Actor').count()).resolves.toBe(0)
      await screenshot(page, kind, 'my-activity')

      await page.getByRole('link', { name: `Updated (entry ${own.items[0]?.id})` }).click()
      await settled(page)
      await expect(page.locator('h1').textContent()).resolves.toBe(`Entry ${own.items[0]?.id}`)
      await expect(page.getByRole('button').count()).resolves.toBe(0)

      const [others] = (await viewer.demo.audit.logs({ actorId: 'alice' })).items
      await page.goto(viewer.url(`/entries/${others?.id}`))
      await settled(page)
      await expect(page.locator('h1').textContent()).resolves.toBe('Not found')
      await expect(page.getByRole('alert').textContent()).resolves.toContain('(404)')
      await expect(page.locator('main').textContent()).resolves.not.toMatch(/alice/i)
    })

    it('a refused request: no credentials shows the 401 message and no data', async () => {
      const page = await open(undefined, '/')
      await expect(page.getByRole('alert').textContent()).resolves.toContain('(401)')
      await expect(page.locator('table').count()).resolves.toBe(0)
      await expect(page.locator('body').textContent()).resolves.not.toMatch(/alice|bob|users/i)
      await screenshot(page, kind, 'unauthorized')
    })

    it('XSS: a stored <script> and onerror are shown as text and never run; a CSP is sent', async () => {
      const [entry] = (
        await viewer.demo.audit.logs({ table: 'users', entityId: 3, action: 'INSERT' })
      ).items
      const page = await browser.open('admin')
      pages.push(page)
      const response = await page.goto(viewer.url(`/entries/${entry?.id}`))
      await settled(page)
      expect(response?.headers()['content-security-policy']).toContain("script-src 'self'")
      await expect(page.locator('section[aria-label="Changes"]').textContent()).resolves.toContain(
        XSS,
      )
      await expect(page.locator('main img, main script').count()).resolves.toBe(0)
      await page.goto(viewer.url('/tables/users/entities/3'))
      await settled(page)
      await expect(page.locator('ol.timeline').textContent()).resolves.toContain(XSS)
      await expect(page.locator('main img, main script').count()).resolves.toBe(0)
      expect(await page.evaluate(() => (globalThis as { __xss?: unknown }).__xss)).toBeUndefined()
    })

    it('keyboard: the skip link comes first, and Tab reaches the filter form and the entry links', async () => {
      const page = await open('admin', '/')
      const focused = () =>
        page.evaluate(() => {
          const element = (globalThis as any).document.activeElement
          return `${element.tagName.toLowerCase()}:${element.id || element.textContent.trim()}`
        })
      await page.keyboard.press('Tab')
      expect(await focused()).toBe('a:Skip to content')
      await page.keyboard.press('Enter')
      // Tab on until the first entry link: every stop on the way is a labelled control.
      const seen: string[] = []
      for (let i = 0; i < 40 && !/\(entry \d+\)$/.test(seen.at(-1) ?? ''); i += 1) {
        await page.keyboard.press('Tab')
        seen.push(await focused())
      }
      expect(seen).toEqual(
        expect.arrayContaining(['input:filter-table', 'input:filter-actorId', 'button:Filter']),
      )
      expect(seen.at(-1)).toMatch(/^a:\w+ \(entry \d+\)$/)
      // Focus is visible: an outline is drawn on the focused link.
      const outline = await page.evaluate(() => {
        const { document, getComputedStyle } = globalThis as any
        return getComputedStyle(document.activeElement).outlineStyle
      })
      expect(outline).toBe('solid')
    })

    it('phone: the log reads as cards at 390px, with no sideways scrolling', async () => {
      const page = await browser.open('admin')
      pages.push(page)
      await page.setViewportSize({ width: 390, height: 844 })
      await page.goto(viewer.url('/'))
      await settled(page)
      const row = page.locator('table.entries tbody tr').first()
      await expect(
        row.evaluate((tr) => tr.ownerDocument.defaultView?.getComputedStyle(tr).display),
      ).resolves.toBe('block')
      const width = page.locator('html').evaluate((html) => html.scrollWidth)
      await expect(width).resolves.toBeLessThanOrEqual(390)
      await screenshot(page, kind, 'admin-log-phone')
    })
  })
}
