import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { runDemo } from '../src/demo.ts'

it('prisma:sqlite the quickstart captures nested writes and a transaction, and restores the row', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'prisma-quickstart-'))
  const lines: string[] = []
  try {
    await runDemo(join(dir, 'demo.db'), (line) => lines.push(line))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  const output = lines.join('\n')
  expect(output).toContain('+ INSERT posts  by alice')
  expect(output).toContain('~ UPDATE users  by bob')
  expect(output).toContain('plan: "free" -> "pro"')
  expect(output).toContain('- DELETE posts  by bob')
  expect(output).toContain('Alice before the upgrade: plan=free, name=Alice')
  expect(output).toContain('Alice now: plan=free')
  expect(output).not.toContain('x1')
})
