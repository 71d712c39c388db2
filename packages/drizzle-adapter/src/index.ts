export {
  type AuditContext,
  type AuditEntry,
  type AuditEvent,
  auditContextMiddleware,
  ChronicleError,
  withAuditContext,
} from '@chronicle/core'
export {
  type AuditedRows,
  type AuditedTable,
  auditPlugin,
  createAuditTable,
  DrizzleAudit,
  type DrizzleAuditOptions,
  type DrizzleRows,
  type SchemaRows,
} from './audit-plugin.js'
