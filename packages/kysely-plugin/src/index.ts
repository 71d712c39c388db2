export { auditPlugin, createAuditTable, KyselyAudit, type KyselyRows } from './audit-plugin.js'
