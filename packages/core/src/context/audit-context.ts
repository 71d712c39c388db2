import { AsyncLocalStorage } from 'node:async_hooks'

/** Who and where: carried by every entry written inside {@link withAuditContext}. */
export interface AuditContext {
  readonly actorId?: string | null
  /** `user`, `system`, `api_key`, `migration`, or your own. */
  readonly actorType?: string | null
  readonly ipAddress?: string | null
  readonly userAgent?: string | null
  readonly metadata?: Readonly<Record<string, unknown>>
}

/**
 * One store per process, not per copy of this module: an app that ends up with two copies of
 * core (an adapter's and its own, a patch apart) must still see its `withAuditContext` in
 * the entries the adapter writes.
 */
const STORE = Symbol.for('@chronicle/core/audit-context')
const registry = globalThis as { [STORE]?: AsyncLocalStorage<AuditContext> }
registry[STORE] ??= new AsyncLocalStorage<AuditContext>()
const storage: AsyncLocalStorage<AuditContext> = registry[STORE]

/** Merges contexts left to right; `metadata` merges key by key; `undefined` never overrides. */
export function mergeAuditContext(...contexts: (AuditContext | undefined)[]): AuditContext {
  const merged: Record<string, unknown> = {}
  let metadata: Record<string, unknown> | undefined
  for (const context of contexts) {
    if (!context) continue
    for (const [key, value] of Object.entries(context)) {
      if (value === undefined) continue
      if (key === 'metadata') metadata = { ...metadata, ...(value as Record<string, unknown>) }
      else merged[key] = value
    }
  }
  if (metadata) merged.metadata = metadata
  return merged as AuditContext
}

/**
 * Runs `fn` with `context` attached (AsyncLocalStorage): every audit entry written inside,
 * by any adapter, carries it. Nested calls merge, the inner one wins.
 *
 * ### Examples
 * ```ts
 * await withAuditContext({ actorId: 'u1', actorType: 'user', metadata: { requestId } }, () =>
 *   db.updateTable('users').set({ name: 'Ada' }).where('id', '=', 1).execute(),
 * )
 * // audit_logs row: actor_id 'u1', actor_type 'user', metadata {"requestId": …}
 * ```
 */
export function withAuditContext<T>(
  context: AuditContext,
  fn: () => T,
): T extends PromiseLike<infer U> ? Promise<U> : T {
  return storage.run(mergeAuditContext(storage.getStore(), context), () => {
    const result = fn()
    // A lazy thenable (a Prisma query) starts only when awaited, which the caller does
    // outside this context: start it here, so its writes run inside.
    return (
      result !== null &&
      typeof result === 'object' &&
      'then' in result &&
      !(result instanceof Promise)
        ? Promise.resolve(result)
        : result
    ) as T extends PromiseLike<infer U> ? Promise<U> : T
  })
}

/** The context in force here (empty outside {@link withAuditContext}). */
export function getAuditContext(): AuditContext {
  return storage.getStore() ?? {}
}

/**
 * Runs `fn` with exactly `context`, ignoring the one in force: work queued by one request and
 * run later from another's callbacks must not inherit that other request's actor.
 */
export function runInExactAuditContext<T>(context: AuditContext, fn: () => T): T {
  return storage.run(context, fn)
}
