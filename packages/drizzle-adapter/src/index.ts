export {
  type AuditContext,
  type AuditEntry,
  type AuditEvent,
  auditContextMiddleware,
  ChronicleError,
  withAuditContext,
} from '@chronicle/core'
export {
  auditPlugin,
  createAuditTable,
  DrizzleAudit,
  type DrizzleRows,
} from './audit-plugin.js'
