import { assertSupportedNode } from './runtime/node-version.js'

/**
 * `@chronicle/core/adapter`: what ORM adapters build on, kept apart from the user-facing
 * root as Kysely keeps its dialect-author API apart. An adapter translates each write to an
 * audited table into a {@link WriteDescription} and hands it to {@link captureWrite} with
 * the connection it runs on; core runs the protocol, writes the entries and guards the
 * transaction.
 */
export { AuditEngine } from './capture/audit-engine.js'
export { captureWrite, captureWriteSync } from './capture/capture-write.js'
export { commitEntries, commitEntriesSync } from './capture/commit-entries.js'
export { TransactionGuard } from './capture/transaction-guard.js'
export type {
  CaptureConnection,
  InsertValue,
  KeySelect,
  KeySet,
  SyncCaptureConnection,
  UserSelection,
  WriteDescription,
  WriteOperation,
  WriteVariant,
} from './capture/write-description.js'
export { Chronicle } from './chronicle.js'
export type { ChronicleOptions } from './config/options.js'
export type { ZonelessTimestamps } from './entry/codec.js'
export type { ExactRead } from './entry/exact-values.js'
export { withCallerStack } from './errors/caller-stack.js'
export { ChronicleError } from './errors/chronicle-error.js'
export { translateDriverError } from './errors/driver-error.js'
export { createAuditTable } from './store/audit-table.js'
export type { SqlConnection, SqlDatabase, SqlResult } from './store/connection.js'
export type {
  ColumnInfo,
  DialectName,
  ExactKind,
  ExactText,
  SqlDialect,
  Statement,
} from './store/dialect.js'
export { isTableName } from './store/dialect.js'
export { getDialect } from './store/dialects/index.js'
export { preparedStatement, type SqliteHandle } from './store/sqlite-statements.js'
export type { SyncSqlConnection, TransactionControl } from './store/steps.js'
export type { TableMeta } from './store/table-meta.js'

// On a Node.js older than 22, fail with a message when Chronicle loads, before a driver segfaults.
assertSupportedNode()
