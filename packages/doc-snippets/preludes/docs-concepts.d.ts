// The placeholders of the "Querying" overview, and a Kysely app's audit.
interface DB {
  users: { id: number; email: string; plan: string }
}
declare const audit: import('@chronicle/kysely').KyselyAudit<DB>
declare const otherAudit: import('@chronicle/kysely').KyselyAudit<DB>
declare const table: 'users'
declare const entityId: string
declare const actorId: string
declare const action: string
declare const transactionId: string
declare const since: Date
declare const until: Date
declare const limit: number
declare const cursor: string | null
declare const id: number
declare const order: 'asc' | 'desc'
declare const date: Date
declare const auditId: number
declare const from: number
declare const to: number
declare const auditIdA: number
declare const auditIdB: number
declare const pool: import('pg').Pool
declare const txId: string
