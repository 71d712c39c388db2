export { AuditEngine } from './capture/audit-engine.js'
export { buildEntries, type EntryStamp, type RowChange } from './capture/build-entries.js'
export { Chronicle, type LogsPage } from './chronicle.js'
export type { ChronicleOptions, ResolvedTable, TableOptions, TableRows } from './config/options.js'
export { type AuditContext, getAuditContext, withAuditContext } from './context/audit-context.js'
export {
  type AuditActor,
  type AuditContextMiddlewareOptions,
  auditContextFetch,
  auditContextHono,
  auditContextMiddleware,
  type HonoLikeContext,
} from './context/audit-context-middleware.js'
export { assertContextFits } from './context/context-limits.js'
export { changedColumns, type PatchOperation, patchBetween } from './diff/diff.js'
export type { AuditEntry, NewEntry, RowAction } from './entry/audit-entry.js'
export type { AuditEvent } from './entry/audit-event.js'
export { decodeRow, type EncodedRow, encodeRow, type JsonValue, REDACTED } from './entry/codec.js'
export { assertExactRow } from './entry/exact-values.js'
export { entryHash } from './entry/hash.js'
export {
  ChronicleError,
  type ChronicleErrorCode,
  isChronicleError,
} from './errors/chronicle-error.js'
export { translateDriverError } from './errors/driver-error.js'
export type { ImportResult } from './export/import-entries.js'
export type { SealOptions, SealResult } from './integrity/seal.js'
export type { BrokenReason, VerifyResult } from './integrity/verify.js'
export type { EntryFilter, LogsFilter } from './query/logs.js'
export type { AuditStats, StatsFilter, StatsShare } from './query/stats.js'
export type { EntityKey, PointInTime, TableRepo } from './query/table-repo.js'
export type { VersionDiff } from './query/version-diff.js'
export type { RestoreChange, RestoreOptions, RestoreResult } from './restore/restore.js'
export type { RevertResult } from './restore/revert-transaction.js'
export type { CleanupOptions, CleanupResult } from './retention/cleanup.js'
export { createAuditTable } from './store/audit-table.js'
export type { SqlConnection, SqlDatabase, SqlResult } from './store/connection.js'
export type { ColumnInfo, DialectName, SqlDialect } from './store/dialect.js'
export { getDialect } from './store/dialects/index.js'
export { type Row, readRowsByKeys, rowEntityId, uniqueByKey } from './store/rows.js'
export type { TableMeta } from './store/table-meta.js'
export type { LimitedColumn, TextLimit } from './store/text-limits.js'
