// Everything a Prisma user needs from one install: the adapter, and core's context, middleware,
// errors and types (so an app never imports a second, possibly different, copy of core).
export * from '@chronicle/core'
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
