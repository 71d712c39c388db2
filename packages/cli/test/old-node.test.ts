import { execFileSync, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// Chronicle refuses Node.js < 22 with a message, because better-sqlite3 13 segfaults there.
// These tests run the built files on such a Node: the system one (CI images ship Node 20),
// or the one named by CHRONICLE_OLD_NODE.
const candidates = [process.env.CHRONICLE_OLD_NODE, '/usr/bin/node', '/usr/local/bin/node']
const oldNode = candidates.find((path): path is string => {
  if (!path) return false
  try {
    const version = execFileSync(path, ['--version'], { encoding: 'utf8' })
    return Number.parseInt(version.slice(1), 10) < 22
  } catch {
    return false
  }
})

const built = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url))
const expected =
  /Chronicle needs Node\.js 22 or newer \(this is v\d+\.\d+\.\d+\); better-sqlite3 13 crashes on older Node/

describe.skipIf(!oldNode)(`on Node.js < 22 (${oldNode ?? 'none found: skipped'})`, () => {
  it('importing an adapter throws UNSUPPORTED saying which Node.js is needed', () => {
    const script = `import(${JSON.stringify(built('kysely-plugin/dist/index.js'))}).catch((e) => { console.error(e.code, e.message); process.exit(7) })`
    const result = spawnSync(oldNode as string, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
    })
    expect(result.stderr).toMatch(expected)
    expect(result.stderr).toMatch(/^UNSUPPORTED /)
    expect(result.status).toBe(7)
  })

  it('the chronicle binary prints one line and exits 1, before better-sqlite3 loads', () => {
    const result = spawnSync(
      oldNode as string,
      [built('cli/dist/bin.js'), 'logs', '--db', ':memory:'],
      {
        encoding: 'utf8',
      },
    )
    expect(result.stderr).toMatch(expected)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.status).toBe(1)
  })
})
