import { hash } from 'node:crypto'
import type { NewEntry } from './audit-entry.js'
import { canonicalJson } from './codec.js'

/** The canonical JSON text of an entry's JSON fields: stored as is, and hashed. */
export interface EntryTexts {
  readonly oldValues: string | null
  readonly newValues: string | null
  readonly changedFields: string | null
  readonly metadata: string | null
}

const text = (value: unknown) =>
  value === null || value === undefined ? null : canonicalJson(value)

export function entryTexts(entry: NewEntry): EntryTexts {
  return {
    oldValues: text(entry.oldValues),
    newValues: text(entry.newValues),
    changedFields: text(entry.changedFields),
    metadata: text(entry.metadata),
  }
}

/**
 * SHA-256 over the canonical JSON of an entry's content (everything but its id). It needs
 * no other entry, so writers never wait on each other; sealing chains these hashes. Pass
 * the entry's {@link entryTexts} when they exist already: each snapshot is serialised once.
 */
export function entryHash(entry: NewEntry, texts: EntryTexts = entryTexts(entry)): string {
  const scalar = (value: string | null) => (value === null ? 'null' : JSON.stringify(value))
  // Keys in sorted order, as canonicalJson would put them.
  const content = `{"action":${scalar(entry.action)},"actorId":${scalar(entry.actorId)},"actorType":${scalar(entry.actorType)},"changedFields":${texts.changedFields ?? 'null'},"createdAt":${scalar(entry.createdAt.toISOString())},"entityId":${scalar(entry.entityId)},"ipAddress":${scalar(entry.ipAddress)},"metadata":${texts.metadata ?? 'null'},"newValues":${texts.newValues ?? 'null'},"oldValues":${texts.oldValues ?? 'null'},"tableName":${scalar(entry.tableName)},"transactionId":${scalar(entry.transactionId)},"userAgent":${scalar(entry.userAgent)}}`
  // One-shot `hash` (Node 21.7+): half the cost of a createHash object per entry.
  return hash('sha256', content, 'hex')
}
