import { describe, expect, it } from 'vitest'

/**
 * Two copies of core in one process (an adapter's and the app's, a patch apart) load the
 * same sources as separate module instances; a query string does that here.
 */
async function secondCopy() {
  // A computed specifier: the query string is for the module loader, not the type checker.
  const copy = (path: string) => `${path}?second-copy`
  const context: typeof import('../src/context/audit-context.js') = await import(
    copy('../src/context/audit-context.ts')
  )
  const errors: typeof import('../src/errors/chronicle-error.js') = await import(
    copy('../src/errors/chronicle-error.ts')
  )
  return { context, errors }
}

describe('core: two copies in one process', () => {
  it('withAuditContext from one copy is what the other copy reads', async () => {
    const first = await import('../src/context/audit-context.js')
    const second = await secondCopy()
    expect(second.context.withAuditContext).not.toBe(first.withAuditContext)
    const seen = await first.withAuditContext({ actorId: 'u1' }, async () =>
      second.context.getAuditContext(),
    )
    expect(seen?.actorId).toBe('u1')
  })

  it('isChronicleError recognises an error thrown by the other copy, with its code', async () => {
    const first = await import('../src/errors/chronicle-error.js')
    const second = await secondCopy()
    expect(second.errors.ChronicleError).not.toBe(first.ChronicleError)
    const error = new second.errors.ChronicleError('NOT_FOUND', 'no such entry')
    expect(first.isChronicleError(error)).toBe(true)
    expect(first.isChronicleError(error, 'NOT_FOUND')).toBe(true)
    expect(first.isChronicleError(error, 'CONFLICT')).toBe(false)
    expect(first.isChronicleError(new Error('plain'))).toBe(false)
  })
})
