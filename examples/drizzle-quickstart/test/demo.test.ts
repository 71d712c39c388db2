import { expect, it } from 'vitest'
import { runDemo } from '../src/demo.ts'

it('drizzle:sqlite the quickstart tells the whole story and restores the row', async () => {
  const lines: string[] = []
  await runDemo(':memory:', (line) => lines.push(line))
  const output = lines.join('\n')
  expect(output).toContain('UPDATE by bob: name "Alice" → "Alice Liddell", plan "free" → "pro"')
  expect(output).toContain('Alice before the upgrade: plan=free, name=Alice')
  expect(output).toContain('replace /plan "pro"')
  expect(output).toContain('Alice now: plan=free, name=Alice')
  expect(output).toContain('"ok":true')
  expect(output).not.toContain('x1')
})
