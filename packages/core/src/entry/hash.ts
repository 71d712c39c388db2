import { createHash } from 'node:crypto'
import type { NewEntry } from './audit-entry.js'
import { canonicalJson } from './codec.js'

/**
 * SHA-256 over the canonical JSON of an entry's content (everything but its id). It needs
 * no other entry, so writers never wait on each other; sealing chains these hashes.
 */
export function entryHash(entry: NewEntry): string {
  const content = canonicalJson({
    createdAt: entry.createdAt.toISOString(),
    transactionId: entry.transactionId,
    action: entry.action,
    tableName: entry.tableName,
    entityId: entry.entityId,
    oldValues: entry.oldValues,
    newValues: entry.newValues,
    changedFields: entry.changedFields,
    actorId: entry.actorId,
    actorType: entry.actorType,
    ipAddress: entry.ipAddress,
    userAgent: entry.userAgent,
    metadata: entry.metadata,
  })
  return createHash('sha256').update(content).digest('hex')
}
