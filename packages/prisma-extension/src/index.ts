export {
  type AuditContext,
  type AuditEntry,
  type AuditEvent,
  auditContextMiddleware,
  ChronicleError,
  type ChronicleOptions,
  isChronicleError,
  REDACTED,
  withAuditContext,
} from '@chronicle/core'
export type {
  AuditedPrismaClient,
  ModelRow,
  PrismaModelMethods,
} from './audit-extension.js'
export {
  auditPlugin,
  PrismaAudit,
  type PrismaAuditOptions,
  type PrismaTransactionClient,
} from './audit-plugin.js'
