import { expect, it } from 'vitest'
import { runOperations } from '../src/operations.ts'

it('kysely:sqlite the README operations snippets run end to end', async () => {
  const seen = await runOperations()
  const [event] = seen.billing.items
  expect(event).toMatchObject({
    action: 'billing.plan.changed',
    entityId: '1',
    metadata: { plan: 'pro' },
  })
  expect(seen.stats.byAction).toEqual({
    UPDATE: { count: 2, share: 0.5 },
    INSERT: { count: 1, share: 0.25 },
    'billing.plan.changed': { count: 1, share: 0.25 },
  })
  expect(seen.stats.byActor).toEqual({
    '(none)': { count: 3, share: 0.75 },
    u1: { count: 1, share: 0.25 },
  })
  expect(seen.reverted.reverted).toHaveLength(1)
  expect(seen.plan).toBe('free')
  expect(seen.verified).toMatchObject({ ok: true, broken: [] })
  expect(seen.exported).toBe(4)
  expect(seen.jsonl).not.toContain('"h1"')
  expect(seen.jsonl).toContain('"userAgent":"demo"')
  expect(seen.preview.dryRun).toBe(true)
})
