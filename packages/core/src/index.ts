import { assertSupportedNode } from './runtime/node-version.js'

// The user's API: the query API, context, errors and types. What adapters build on is
// `@chronicle/core/adapter`.
export { Chronicle, type LogsPage, type TableEntry, type TableRow } from './chronicle.js'
export type { ChronicleOptions, TableOptions, TableRows } from './config/options.js'
export { type AuditContext, getAuditContext, withAuditContext } from './context/audit-context.js'
export {
  type AuditActor,
  type AuditContextMiddlewareOptions,
  auditContextFetch,
  auditContextHono,
  auditContextMiddleware,
  type HonoLikeContext,
} from './context/audit-context-middleware.js'
export {
  RequestAudit,
  type RequestAuditOptions,
  type RequestAuditSink,
  type RequestAuditStats,
  type RequestRecord,
} from './context/request-audit.js'
export type { PatchOperation } from './diff/diff.js'
export type { AuditEntry, RowAction } from './entry/audit-entry.js'
export type { AuditEvent } from './entry/audit-event.js'
export type { AuditLogRow } from './entry/audit-log-row.js'
export { type JsonValue, REDACTED, toJsonValue } from './entry/codec.js'
export {
  ChronicleError,
  type ChronicleErrorCode,
  isChronicleError,
} from './errors/chronicle-error.js'
export type { ImportResult } from './export/import-entries.js'
export type { SealOptions, SealResult } from './integrity/seal.js'
export type { BrokenReason, VerifyOptions, VerifyResult } from './integrity/verify.js'
export type { EntryFilter, LogsFilter } from './query/logs.js'
export type { AuditStats, StatsFilter, StatsShare } from './query/stats.js'
export type { EntityKey, KeyOf, PointInTime, TableRepo } from './query/table-repo.js'
export type { VersionDiff } from './query/version-diff.js'
export type { RestoreChange, RestoreOptions, RestoreResult } from './restore/restore.js'
export type { RevertOptions, RevertResult } from './restore/revert-transaction.js'
export type { CleanupOptions, CleanupResult } from './retention/cleanup.js'
export type { DialectName } from './store/dialect.js'

// On a Node.js older than 22, fail with a message when Chronicle loads, before a driver segfaults.
assertSupportedNode()
