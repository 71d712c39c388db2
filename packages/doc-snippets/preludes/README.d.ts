// What README's fragments ("Operating the trail") assume: the app of "Kysely in 30 seconds",
// an Express app, and the values each fragment talks about.
interface DB {
  users: {
    id: import('kysely').Generated<number>
    email: string
    plan: string
    password_hash: string
    updated_at: string | null
  }
  orders: { order_id: string; user_id: number; total: number }
  sessions: { id: string; user_id: number }
}
declare const audit: import('@chronicle/kysely').KyselyAudit<DB>
declare const otherAudit: import('@chronicle/kysely').KyselyAudit<DB>
declare const trx: import('kysely').Transaction<DB>
declare const app: import('express').Express
declare const org: { id: number }
declare const planId: string
declare const entry: import('@chronicle/kysely').AuditEntry
declare function archive(entry: import('@chronicle/kysely').AuditEntry): void
declare function sessionUser(
  request: Request,
): Promise<{ id: string; name: string; isAdmin: boolean } | null>
