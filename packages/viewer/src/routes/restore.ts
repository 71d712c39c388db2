import { toJsonValue, withAuditContext } from '@chronicle/core'
import type { RouteContext } from '../context.js'
import { requiredInteger } from '../params.js'
import { json, ViewerHttpError } from '../responses.js'
import { requireRestore } from '../scope.js'

/** Bodies are a few flags: anything larger is not a request of ours. */
const MAX_BODY_BYTES = 16 * 1024

const badBody = (message: string) => new ViewerHttpError(400, 'INVALID_REQUEST', message)

/**
 * The checks every write shares, in order: permission, CSRF (origin and token), a JSON
 * body of known flags. A browser form cannot send `application/json` cross-site without a
 * preflight, which is one more wall in front of the token.
 */
async function writeBody(
  { request, url, principal, viewer }: RouteContext,
  allowed: readonly string[],
): Promise<Record<string, unknown>> {
  requireRestore(principal)
  viewer.csrf.check(request, url, principal)
  const type = request.headers.get('content-type') ?? ''
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new ViewerHttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send Content-Type: application/json')
  }
  const text = await readLimited(request)
  let body: unknown
  try {
    body = text === '' ? {} : JSON.parse(text)
  } catch {
    throw badBody('the body is not JSON')
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badBody('the body must be a JSON object')
  }
  for (const [key, value] of Object.entries(body)) {
    if (!allowed.includes(key))
      throw badBody(`unknown field "${key}": expected ${allowed.join(', ')}`)
    if (key !== 'to' && typeof value !== 'boolean') throw badBody(`${key} must be a boolean`)
  }
  return body as Record<string, unknown>
}

async function readLimited(request: Request): Promise<string> {
  if (!request.body) return ''
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > MAX_BODY_BYTES) {
      await reader.cancel()
      throw new ViewerHttpError(
        413,
        'PAYLOAD_TOO_LARGE',
        `the body is over ${MAX_BODY_BYTES} bytes`,
      )
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** Writes run as the principal, so the restore's own entry says who did it. */
function asPrincipal<T>({ principal }: RouteContext, work: () => Promise<T>): Promise<T> {
  return principal.actorId === null
    ? work()
    : withAuditContext({ actorId: principal.actorId }, work)
}

/** `POST api/entries/:id/restore` `{ dryRun?, to? }`: admins only; `dryRun` previews. */
export async function restoreEntry(context: RouteContext) {
  const body = await writeBody(context, ['dryRun', 'to'])
  const id = requiredInteger(context.params.id, 'id')
  const result = await asPrincipal(context, () =>
    context.viewer.audit.restore(id, {
      dryRun: body.dryRun === true,
      // Core validates 'before' | 'after' (INVALID_FILTER).
      to: body.to as 'before' | 'after' | undefined,
    }),
  )
  return json(toJsonValue(result))
}

/** `POST api/transactions/:transactionId/revert` `{ dryRun?, force? }`: admins only. */
export async function revertTransaction(context: RouteContext) {
  const body = await writeBody(context, ['dryRun', 'force'])
  const result = await asPrincipal(context, () =>
    context.viewer.audit.revertTransaction(context.params.transactionId ?? '', {
      dryRun: body.dryRun === true,
      force: body.force === true,
    }),
  )
  return json(toJsonValue(result))
}
