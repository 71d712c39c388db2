// Everything a Kysely user needs from one install: the adapter, and core's context, middleware,
// errors and types (so an app never imports a second, possibly different, copy of core).
export * from '@chronicle/core'
export { auditPlugin, createAuditTable, KyselyAudit, type KyselyRows } from './audit-plugin.js'
