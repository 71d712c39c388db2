// Everything a Drizzle user needs from one install: the adapter, and core's context, middleware,
// errors and types (so an app never imports a second, possibly different, copy of core).
export * from '@chronicle/core'
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
