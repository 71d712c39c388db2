import { mkdtempSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type DatabaseKind, isAvailable } from '@chronicle/test-kit'
import { afterEach, describe, expect, it } from 'vitest'
import {
  chronicle,
  chronicleInTerminal,
  type Demo,
  demoDatabase,
  emptyDatabase,
  startChronicle,
} from './harness.js'

const tempDir = () => mkdtempSync(join(tmpdir(), 'chronicle-cli-'))

/** The CLI, run as a subprocess, against one real database (skipped when it is unreachable, never under CI). */
export async function cliSuite(kind: DatabaseKind) {
  const available = await isAvailable(kind)
  describe.skipIf(!available)(`cli:${kind}`, () => {
    let demo: Demo | undefined
    const cleanups: (() => Promise<void>)[] = []
    afterEach(async () => {
      await demo?.close()
      demo = undefined
      for (const cleanup of cleanups.splice(0)) await cleanup()
    })
    const start = async () => {
      demo = await demoDatabase(kind)
      return demo
    }
    const q = kind === 'mariadb' ? '`' : '"'
    const auditCount = (d: Demo) => d.count(`SELECT COUNT(*) AS n FROM ${q}audit_logs${q}`)

    it('logs: a table with + ~ - symbols, newest first, and a stable --json shape', async () => {
      const d = await start()
      const table = await chronicle(['logs'], { env: d.env })
      expect(table.code).toBe(0)
      const lines = table.stdout.split('\n')
      expect(lines[0]).toMatch(/^ID\s+Time\s+Table\s+Action\s+Entity\s+User\s+Changes\s*$/)
      const ids = [...table.stdout.matchAll(/^(\d+) /gm)].map((m) => Number(m[1]))
      expect(ids).toEqual([7, 6, 5, 4, 3, 2, 1])
      expect(table.stdout).toMatch(/billing\.plan\.changed/)
      for (const symbol of ['+', '~', '-']) expect(table.stdout).toContain(` ${symbol} `)
      expect(table.stdout).not.toContain('\u001b[')

      const json = await chronicle(['logs', '--json', '--limit', '2'], { env: d.env })
      expect(json.code).toBe(0)
      const page = JSON.parse(json.stdout)
      expect(Object.keys(page)).toEqual(['items', 'nextCursor'])
      expect(page.items.map((e: { id: number }) => e.id)).toEqual([7, 6])
      expect(page.items[0]).toMatchObject({
        action: 'INSERT',
        tableName: 'orders',
        entityId: 'o-1',
        actorId: 'system',
        newValues: { order_id: 'o-1', total: 30, status: 'new' },
      })
      expect(typeof page.items[0].createdAt).toBe('string')
      const next = await chronicle(
        ['logs', '--json', '--limit', '2', '--cursor', page.nextCursor],
        {
          env: d.env,
        },
      )
      expect(JSON.parse(next.stdout).items.map((e: { id: number }) => e.id)).toEqual([5, 4])
    })

    it('logs: -t -a -u -e --since --until filter; -a takes event prefixes; -v shows changes', async () => {
      const d = await start()
      const ids = async (...args: string[]) => {
        const result = await chronicle(['logs', '--json', ...args], { env: d.env })
        expect(result.code, result.stderr).toBe(0)
        return JSON.parse(result.stdout).items.map((e: { id: number }) => e.id)
      }
      expect(await ids('-t', 'users', '-a', 'update')).toEqual([4, 3])
      expect(await ids('-a', 'billing')).toEqual([6])
      expect(await ids('--action', 'billing.*')).toEqual([6])
      expect(await ids('-u', 'admin')).toEqual([3, 2, 1])
      expect(await ids('-t', 'users', '-e', '2')).toEqual([5, 2])
      expect(await ids('-s', '2000-01-01', '--until', '2999-01-01', '-l', '1')).toEqual([7])
      expect(await ids('--until', '2000-01-01')).toEqual([])
      const verbose = await chronicle(['logs', '-v', '-t', 'users', '-a', 'UPDATE'], { env: d.env })
      expect(verbose.stdout).toContain('Audit Log #4')
      expect(verbose.stdout).toContain('email: "alice@example.com" -> "alice@new.example"')
      expect(verbose.stdout).toContain('name: "Alice" -> "Alice B"')
      expect(verbose.stdout).toContain('User: system (system)')
    })

    it('history: current state, timeline and summary; --json; --reverse; --show-values', async () => {
      const d = await start()
      const text = await chronicle(['history', 'users', '1', '--show-values'], { env: d.env })
      expect(text.code, text.stderr).toBe(0)
      expect(text.stdout).toContain('Entity History: users #1')
      expect(text.stdout).toContain('"email":"alice@new.example"')
      expect(text.stdout).toContain('"password_hash":"[REDACTED]"')
      expect(text.stdout).not.toContain('s1')
      expect(text.stdout).toMatch(/\|- .* \| UPDATE \| system/)
      expect(text.stdout).toMatch(/\+- .* \| INSERT \| admin/)
      expect(text.stdout).toContain('email: "alice@example.com" -> "alice@new.example"')
      expect(text.stdout).toContain('Total Changes: 3')
      expect(text.stdout).toContain('Actions: UPDATE (2), INSERT (1)')
      expect(text.stdout).toContain('Top Users: admin (2), system (1)')
      expect(text.stdout).toMatch(/Time Span: \d+ minutes, \d+ seconds/)

      const json = await chronicle(['history', 'users', '1', '--json', '--reverse', '-l', '2'], {
        env: d.env,
      })
      const history = JSON.parse(json.stdout)
      expect(Object.keys(history)).toEqual(['table', 'entityId', 'current', 'entries', 'summary'])
      expect(history.entries.map((e: { id: number }) => e.id)).toEqual([1, 3])
      expect(history.current).toMatchObject({ id: 1, name: 'Alice B' })
      expect(history.summary).toMatchObject({ total: 2, actions: { INSERT: 1, UPDATE: 1 } })

      const deleted = await chronicle(['history', 'users', '2', '--json'], { env: d.env })
      expect(JSON.parse(deleted.stdout)).toMatchObject({ current: null, entityId: '2' })
      const event = await chronicle(['history', 'organization', '7'], { env: d.env })
      expect(event.code, event.stderr).toBe(0)
      expect(event.stdout).toContain('billing.plan.changed')
    })

    it('stats: by action, table and user, peak day and hour, storage; --json', async () => {
      const d = await start()
      const json = await chronicle(['stats', '--json'], { env: d.env })
      expect(json.code, json.stderr).toBe(0)
      const stats = JSON.parse(json.stdout)
      expect(stats).toMatchObject({
        total: 7,
        byAction: { INSERT: { count: 3 }, UPDATE: { count: 2 }, DELETE: { count: 1 } },
        byTable: { users: { count: 5 }, orders: { count: 1 }, organization: { count: 1 } },
        byActor: { system: { count: 4 }, admin: { count: 3 } },
      })
      expect(stats.bytes).toBeGreaterThan(0)
      expect(stats.peakDay.count).toBe(7)
      const text = await chronicle(['stats', '-t', 'users'], { env: d.env })
      expect(text.stdout).toContain('Total Entries: 5')
      expect(text.stdout).toMatch(/UPDATE:\s+2 \(40\.0%\)/)
      expect(text.stdout).toMatch(/Day: \w+day \(5 entries\)/)
      expect(text.stdout).toMatch(/Hour: \d\d:00-\d\d:00 \(5 entries\)/)
      expect(text.stdout).toMatch(/Total Size: [\d.]+ (KB|MB|B)/)
    })

    it('seal prints the head; verify passes, then exits 3 naming a tampered entry and a lost head', async () => {
      const d = await start()
      const seal = await chronicle(['seal', '--delay', '0'], { env: d.env })
      expect(seal.code, seal.stderr).toBe(0)
      const head = seal.stdout.trim()
      expect(head).toMatch(/^[0-9a-f]{64}$/)
      expect(seal.stderr).toContain('Sealed 7 new entries')
      const ok = await chronicle(['verify', '--head', head], { env: d.env })
      expect(ok.code).toBe(0)
      expect(ok.stdout).toContain('OK: 7 checked, 0 not sealed yet, head found.')
      const json = await chronicle(['verify', '--json'], { env: d.env })
      expect(JSON.parse(json.stdout)).toEqual({
        ok: true,
        checked: 7,
        unsealed: 0,
        broken: [],
        head,
        headFound: null,
      })
      await d.db.exec(
        `UPDATE ${q}audit_logs${q} SET ${q}actor_id${q} = 'mallory' WHERE ${q}id${q} = 3`,
      )
      const broken = await chronicle(['verify'], { env: d.env })
      expect(broken.code).toBe(3)
      expect(broken.stdout).toContain('broken: entry #3 edited')
      // Entry 3 removed and the whole chain rebuilt: self-consistent, but the kept head is gone.
      await d.db.exec(`DELETE FROM ${q}audit_logs_chain${q}`)
      await d.db.exec(`DELETE FROM ${q}audit_logs${q} WHERE ${q}id${q} = 3`)
      expect((await chronicle(['seal', '--delay', '0'], { env: d.env })).code).toBe(0)
      expect((await chronicle(['verify'], { env: d.env })).code).toBe(0)
      const rewritten = await chronicle(['verify', '--head', head, '--json'], { env: d.env })
      expect(rewritten.code).toBe(3)
      expect(JSON.parse(rewritten.stdout)).toMatchObject({ ok: false, headFound: false })
      expect((await chronicle(['verify', '--head', 'abc'], { env: d.env })).code).toBe(2)
    })

    it('init creates the audit tables (idempotent); --print shows the DDL; a missing table says to run init', async () => {
      const { db, url } = await emptyDatabase(kind)
      cleanups.push(() => db.drop())
      const missing = await chronicle(['logs', '--db', url])
      expect(missing.code).toBe(1)
      expect(missing.stderr).toContain('the audit table "audit_logs" does not exist')
      expect(missing.stderr).toContain('chronicle init')
      const print = await chronicle(['init', '--print', '--db', url, '--audit-table', 'trail'])
      expect(print.code).toBe(0)
      expect(print.stdout).toMatch(/CREATE TABLE IF NOT EXISTS [`"]trail[`"]/)
      expect(print.stdout).toMatch(/CREATE TABLE IF NOT EXISTS [`"]trail_chain[`"]/)
      expect((await chronicle(['logs', '--db', url, '--audit-table', 'trail'])).code).toBe(1)
      for (let i = 0; i < 2; i++) {
        const init = await chronicle(['init', '--db', url, '--audit-table', 'trail'])
        expect(init.code, init.stderr).toBe(0)
        expect(init.stdout).toContain('The audit table "trail" is ready')
      }
      const logs = await chronicle(['logs', '--json', '--db', url, '--audit-table', 'trail'])
      expect(JSON.parse(logs.stdout)).toEqual({ items: [], nextCursor: null })
    })

    it('export streams JSONL; import brings it into another database, and again skips', async () => {
      const d = await start()
      const exported = await chronicle(['export'], { env: d.env })
      expect(exported.code, exported.stderr).toBe(0)
      const lines = exported.stdout.trim().split('\n')
      expect(lines.map((line) => JSON.parse(line).id)).toEqual([1, 2, 3, 4, 5, 6, 7])
      const filtered = await chronicle(['export', '-t', 'users', '-a', 'UPDATE'], { env: d.env })
      expect(filtered.stdout.trim().split('\n')).toHaveLength(2)

      const { db, url } = await emptyDatabase(kind)
      cleanups.push(() => db.drop())
      const file = join(tempDir(), `audit-${kind}.jsonl`)
      const toFile = await chronicle(['export', '--out', file], { env: d.env })
      // Not a terminal: the count, and no progress line.
      expect(toFile.stderr).toBe(`Exported 7 entries to ${file}\n`)
      expect((await chronicle(['init', '--db', url])).code).toBe(0)
      const first = await chronicle(['import', file, '--db', url, '--json'])
      expect(first.code, first.stderr).toBe(0)
      expect(JSON.parse(first.stdout)).toEqual({ imported: 7, skipped: 0 })
      const again = await chronicle(['import', file, '--db', url])
      expect(again.stdout).toContain('Imported 0 entries, skipped 7 already present.')
      await chronicle(['seal', '--delay', '0'], { env: d.env })
      await chronicle(['seal', '--delay', '0', '--db', url])
      const heads = await Promise.all([
        chronicle(['verify', '--json'], { env: d.env }),
        chronicle(['verify', '--json', '--db', url]),
      ])
      expect(JSON.parse(heads[1].stdout).head).toBe(JSON.parse(heads[0].stdout).head)
      expect((await chronicle(['import', 'nope.jsonl', '--db', url])).code).toBe(1)
    })

    it('restore: --dry-run previews; without a terminal and --force it refuses (exit 1, nothing changed); --force restores', async () => {
      const d = await start()
      const preview = await chronicle(['restore', '4', '--dry-run'], { env: d.env })
      expect(preview.code, preview.stderr).toBe(0)
      expect(preview.stdout).toContain('Restoring from Audit Log #4')
      expect(preview.stdout).toContain('Table: users')
      expect(preview.stdout).toContain('email: "alice@new.example" -> "alice@example.com"')
      const before = await auditCount(d)
      const refused = await chronicle(['restore', '4'], { env: d.env })
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain('stdin is not a terminal')
      expect(await auditCount(d)).toBe(before)
      const [row] = await d.db.exec(`SELECT email FROM users WHERE id = 1`)
      expect(row?.email).toBe('alice@new.example')
      const forced = await chronicle(['restore', '4', '--force', '--json'], { env: d.env })
      expect(forced.code, forced.stderr).toBe(0)
      expect(JSON.parse(forced.stdout)).toMatchObject({
        tableName: 'users',
        entityId: '1',
        applied: true,
      })
      const [after] = await d.db.exec(`SELECT email, password_hash FROM users WHERE id = 1`)
      expect(after?.email).toBe('alice@example.com')
      // No config says password_hash is redacted, but the snapshot does: it is left as it is.
      expect(after?.password_hash).toBe('s1')
      expect(await auditCount(d)).toBe(before + 1)
      const recreated = await chronicle(['restore', '5', '--force'], { env: d.env })
      expect(recreated.code, recreated.stderr).toBe(0)
      expect(await d.count('SELECT COUNT(*) AS n FROM users')).toBe(2)
      expect((await chronicle(['restore', '999', '--force'], { env: d.env })).code).toBe(1)
    })

    it('restore and cleanup ask on a terminal: "y" proceeds, anything else changes nothing', async () => {
      const d = await start()
      const no = await chronicleInTerminal(['restore', '3'], 'n\r', d.env)
      expect(no.stdout).toContain('Proceed with restore?')
      expect(no.stdout).toContain('nothing was changed')
      expect(no.code).toBe(0)
      const [unchanged] = await d.db.exec(`SELECT name FROM users WHERE id = 1`)
      expect(unchanged?.name).toBe('Alice B')
      const yes = await chronicleInTerminal(['restore', '3'], 'y\r', d.env)
      expect(yes.code, yes.stdout).toBe(0)
      expect(yes.stdout).toContain('Restored users #1')
      const [restored] = await d.db.exec(`SELECT name FROM users WHERE id = 1`)
      expect(restored?.name).toBe('Alice')
      const cleanup = await chronicleInTerminal(['cleanup', '--keep-days', '0'], 'y\r', d.env)
      expect(cleanup.code, cleanup.stdout).toBe(0)
      expect(cleanup.stdout).toContain('Proceed with cleanup?')
      expect(await auditCount(d)).toBe(0)
    })

    it('cleanup: preview by table with storage freed; refuses without a terminal; --force deletes and verify stays true', async () => {
      const d = await start()
      const preview = await chronicle(['cleanup', '--keep-days', '0', '--dry-run'], { env: d.env })
      expect(preview.code, preview.stderr).toBe(0)
      expect(preview.stdout).toContain('Audit Log Cleanup Preview')
      expect(preview.stdout).toMatch(/users:\s+5 entries/)
      expect(preview.stdout).toContain('Total: 7 entries')
      expect(preview.stdout).toMatch(/Storage freed: ~[\d.]+ (B|KB|MB)/)
      const refused = await chronicle(['cleanup', '--keep-days', '0', '-t', 'users'], {
        env: d.env,
      })
      expect(refused.code).toBe(1)
      expect(await auditCount(d)).toBe(7)
      const json = await chronicle(
        ['cleanup', '--before', '2999-01-01', '-t', 'users', '--force', '--json'],
        {
          env: d.env,
        },
      )
      expect(json.code, json.stderr).toBe(0)
      expect(JSON.parse(json.stdout)).toMatchObject({
        deleted: 5,
        byTable: { users: 5 },
        dryRun: false,
      })
      expect(await auditCount(d)).toBe(2)
      expect((await chronicle(['verify'], { env: d.env })).code).toBe(0)
      const both = await chronicle(['cleanup', '--keep-days', '1', '--before', '2020-01-01'], {
        env: d.env,
      })
      expect(both.code).toBe(2)
    })

    it('compare and diff show changed fields; --json is the VersionDiff', async () => {
      const d = await start()
      const compare = await chronicle(['compare', '1', '4'], { env: d.env })
      expect(compare.code, compare.stderr).toBe(0)
      expect(compare.stdout).toContain('email: "alice@example.com" -> "alice@new.example"')
      expect(compare.stdout).toContain('name: "Alice" -> "Alice B"')
      const json = JSON.parse(
        (await chronicle(['compare', '3', '4', '--json'], { env: d.env })).stdout,
      )
      expect(Object.keys(json)).toEqual(['from', 'to', 'changedFields', 'patch'])
      expect(json.changedFields).toEqual(['email'])
      expect(json.patch).toEqual([{ op: 'replace', path: '/email', value: 'alice@new.example' }])
      const diff = await chronicle(['diff', 'users', '1', '--from', '1'], { env: d.env })
      expect(diff.code, diff.stderr).toBe(0)
      expect(diff.stdout).toContain('Audit #1 -> current')
      expect(diff.stdout).toContain('name: "Alice" -> "Alice B"')
      const between = await chronicle(
        ['diff', 'users', '1', '--from', '1', '--to', '3', '--json'],
        { env: d.env },
      )
      expect(JSON.parse(between.stdout).changedFields).toEqual(['name'])
      const wrong = await chronicle(['diff', 'users', '2', '--from', '1'], { env: d.env })
      expect(wrong.code).toBe(2)
      expect(wrong.stderr).toContain('audit entry 1 is not about users 2')
      expect((await chronicle(['diff', 'users', '1'], { env: d.env })).code).toBe(2)
    })

    it('a config file carries db, keys and redaction; --db beats CHRONICLE_DB', async () => {
      const d = await start()
      const dir = tempDir()
      writeFileSync(
        join(dir, 'chronicle.config.json'),
        JSON.stringify({ db: d.url, tables: d.tables }),
      )
      const unknownKey = await chronicle(['diff', 'orders', 'o-1', '--from', '7'], { env: d.env })
      expect(unknownKey.code).toBe(1)
      expect(unknownKey.stderr).toMatch(/orders/)
      const found = await chronicle(['diff', 'orders', 'o-1', '--from', '7', '--json'], {
        cwd: dir,
      })
      expect(found.code, found.stderr).toBe(0)
      expect(JSON.parse(found.stdout).changedFields).toEqual([])
      const history = await chronicle(['history', 'users', '1', '--json'], { cwd: dir })
      expect(JSON.parse(history.stdout).current.password_hash).toBe('[REDACTED]')
      const diff = await chronicle(['diff', 'users', '1', '--from', '3', '--json'], { cwd: dir })
      expect(JSON.parse(diff.stdout).changedFields).toEqual(['email'])
      const js = join(dir, 'audit.config.mjs')
      writeFileSync(js, `export default { db: ${JSON.stringify(d.url)}, auditTable: 'nope' }`)
      const named = await chronicle(['logs', '-c', js])
      expect(named.stderr).toContain('the audit table "nope" does not exist')
      const override = await chronicle(['logs', '--json', '-c', js, '--audit-table', 'audit_logs'])
      expect(override.code, override.stderr).toBe(0)
      // The scheme's other spellings: mariadb:// for mysql://, postgresql:// for postgres://, sqlite: for a path.
      const alias = d.url.replace(/^mysql:/, 'mariadb:').replace(/^postgres:/, 'postgresql:')
      const spelled = await chronicle([
        'logs',
        '--json',
        '--db',
        kind === 'sqlite' ? `sqlite:${d.url}` : alias,
      ])
      expect(spelled.code, spelled.stderr).toBe(0)
      expect(JSON.parse(spelled.stdout).items).toHaveLength(7)
      const flagWins = await chronicle(['logs', '--json', '--db', d.url], {
        env: { CHRONICLE_DB: 'postgres://127.0.0.1:1/none' },
      })
      expect(flagWins.code, flagWins.stderr).toBe(0)
    })

    /** `chronicle studio --port 0` on the demo database, and its URL once it listens. */
    async function studio(d: Demo, ...flags: string[]) {
      const running = startChronicle(['studio', '--port', '0', ...flags], { env: d.env })
      cleanups.push(async () => {
        running.signal('SIGKILL')
        await running.exited
      })
      const [, url] = await running.waitFor(/Chronicle Studio: (http:\/\/127\.0\.0\.1:\d+\/)/)
      return { running, url: url as string }
    }

    const restoreRequest = async (url: string, auditId: number) => {
      const session = (await (await fetch(`${url}api/session`)).json()) as { csrfToken: string }
      return fetch(`${url}api/entries/${auditId}/restore`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
        body: JSON.stringify({}),
      })
    }

    it('studio: serves the viewer read-only over HTTP, history for any audited table, and stops on SIGTERM', async () => {
      const d = await start()
      const { running, url } = await studio(d)
      /** The JSON a GET of the viewer's API answers. */
      const api = async (path: string) => (await (await fetch(`${url}${path}`)).json()) as any
      const session = await api('api/session')
      expect(session.principal).toMatchObject({ scope: 'all', canRestore: false })
      const page = await api('api/entries?limit=3')
      expect(page.items.map((e: { id: number }) => e.id)).toEqual([7, 6, 5])
      // No config file names the tables: they come from the audit trail.
      const history = await api('api/tables/orders/entities/o-1/history')
      expect(history.items.map((e: { id: number }) => e.id)).toEqual([7])
      const html = await fetch(url)
      expect([html.status, html.headers.get('content-type')]).toEqual([
        200,
        expect.stringMatching(/^text\/html/),
      ])

      const refused = await restoreRequest(url, 4)
      expect(refused.status).toBe(403)
      expect(await d.count("SELECT COUNT(*) FROM users WHERE email = 'alice@example.com'")).toBe(0)

      running.signal('SIGTERM')
      const result = await running.exited
      expect(result.code, result.stderr).toBe(0)
      expect(result.stdout).toContain('Chronicle Studio stopped.')
      await expect(fetch(`${url}api/session`)).rejects.toThrow()
    })

    it('studio --allow-restore restores through the API; a foreign Host header is refused', async () => {
      const d = await start()
      const { running, url } = await studio(d, '--allow-restore')
      const restored = await restoreRequest(url, 4)
      expect(restored.status, await restored.clone().text()).toBe(200)
      expect(await d.count("SELECT COUNT(*) FROM users WHERE email = 'alice@example.com'")).toBe(1)

      // DNS rebinding: a page on evil.example re-pointed at 127.0.0.1 sends its own Host.
      const { port } = new URL(url)
      const status = await new Promise<number | undefined>((resolve, reject) =>
        request(
          {
            host: '127.0.0.1',
            port,
            path: '/api/session',
            headers: { host: `evil.example:${port}` },
          },
          (res) => {
            res.resume()
            resolve(res.statusCode)
          },
        )
          .on('error', reject)
          .end(),
      )
      expect(status).toBe(403)

      running.signal('SIGINT')
      expect((await running.exited).code).toBe(0)
    })
  })
}
