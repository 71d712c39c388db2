import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { chronicle, chronicleInTerminal, type Demo, demoDatabase } from './harness.js'

const COMMANDS = [
  'logs',
  'history',
  'restore',
  'stats',
  'cleanup',
  'compare',
  'diff',
  'export',
  'import',
  'init',
  'seal',
  'verify',
  'studio',
]

describe('cli: usage, connection and terminal', () => {
  let demo: Demo | undefined
  afterEach(async () => {
    await demo?.close()
    demo = undefined
  })

  it('--help on every command, with examples, exits 0; a wrong command or flag exits 2', async () => {
    const top = await chronicle(['--help'])
    expect(top.code).toBe(0)
    for (const command of COMMANDS) {
      expect(top.stdout).toContain(command)
      const help = await chronicle([command, '--help'])
      expect(help.code, command).toBe(0)
      expect(help.stdout, command).toContain('Examples:\n  $ chronicle')
    }
    expect((await chronicle(['nope'])).code).toBe(2)
    expect((await chronicle([])).code).toBe(2)
    expect((await chronicle(['--version'])).code).toBe(0)
    expect((await chronicle(['logs', '--nope'])).code).toBe(2)
    expect((await chronicle(['history', 'users'])).code).toBe(2)
  })

  it('clear messages for no database, a bad URL, a missing SQLite file and an unreachable server', async () => {
    const none = await chronicle(['logs'])
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('no database given: pass --db <url>')
    const scheme = await chronicle(['logs', '--db', 'oracle://db/x'])
    expect(scheme.code).toBe(2)
    expect(scheme.stderr).toContain('unsupported database URL scheme "oracle:"')
    const malformed = await chronicle(['logs', '--db', 'postgres://:x@/'])
    expect(malformed.code).toBe(2)
    const file = await chronicle(['logs', '--db', './missing.db'])
    expect(file.code).toBe(1)
    expect(file.stderr).toContain('no SQLite database at ./missing.db')
    for (const url of [
      'postgres://postgres@127.0.0.1:1/x',
      'mariadb://root:secret@127.0.0.1:1/x',
    ]) {
      const down = await chronicle(['stats'], { env: { CHRONICLE_DB: url } })
      expect(down.code).toBe(1)
      expect(down.stderr).toMatch(
        /cannot reach the (PostgreSQL|MySQL\/MariaDB) server at .*127\.0\.0\.1:1.*ECONNREFUSED/,
      )
      expect(down.stderr).not.toContain('secret')
    }
  })

  it('colours on a terminal only: none when piped or under NO_COLOR', async () => {
    demo = await demoDatabase('sqlite')
    const tty = await chronicleInTerminal(['logs'], '', { ...demo.env, TERM: 'xterm' })
    expect(tty.stdout).toContain('\u001b[32m+\u001b[39m')
    expect(tty.stdout).toContain('\u001b[33m~\u001b[39m')
    expect(tty.stdout).toContain('\u001b[31m-\u001b[39m')
    const noColor = await chronicleInTerminal(['logs'], '', {
      ...demo.env,
      TERM: 'xterm',
      NO_COLOR: '1',
    })
    expect(noColor.stdout).not.toContain('\u001b[3')
    const piped = await chronicle(['logs'], { env: demo.env })
    expect(piped.stdout).not.toContain('\u001b[')
  })

  it('export and import report progress on a terminal', async () => {
    demo = await demoDatabase('sqlite')
    const file = join(mkdtempSync(join(tmpdir(), 'chronicle-cli-')), 'audit.jsonl')
    const exported = await chronicleInTerminal(['export', '--out', file], '', demo.env)
    expect(exported.code, exported.stdout).toBe(0)
    expect(exported.stdout).toContain(`Exported 7 entries to ${file}`)
    const imported = await chronicleInTerminal(['import', file], '', demo.env)
    expect(imported.code, imported.stdout).toBe(0)
    expect(imported.stdout).toContain('Imported 0 entries, skipped 7 already present.')
  })

  it('a chronicle.config.ts is found in the working directory and loaded as TypeScript', async () => {
    demo = await demoDatabase('sqlite')
    const dir = mkdtempSync(join(tmpdir(), 'chronicle-cli-'))
    writeFileSync(
      join(dir, 'chronicle.config.ts'),
      `const tables: Record<string, { primaryKey?: string }> = { orders: { primaryKey: 'order_id' } }\nexport default { db: ${JSON.stringify(demo.url)}, tables }\n`,
    )
    const history = await chronicle(['history', 'orders', 'o-1', '--json'], { cwd: dir })
    expect(history.code, history.stderr).toBe(0)
    expect(JSON.parse(history.stdout).current).toMatchObject({ order_id: 'o-1', total: 30 })
    writeFileSync(join(dir, 'broken.config.json'), '{ nope')
    const broken = await chronicle(['logs', '-c', join(dir, 'broken.config.json')])
    expect(broken.code).toBe(1)
    expect(broken.stderr).toContain('cannot load config file')
  })
})
