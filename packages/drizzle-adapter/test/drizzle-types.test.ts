import type { AuditEntry } from '@chronicle/core'
import { describe, expectTypeOf, it } from 'vitest'
import { auditPlugin } from '../src/index.js'
import { pgApp } from './app-schema.js'

describe('drizzle types', () => {
  it('history is typed with the table’s $inferSelect, whichever way tables are named', () => {
    const byTable = auditPlugin({ tables: [pgApp.users, [pgApp.tokens, { primaryKey: 'id' }]] })
    type Users = ReturnType<typeof byTable.table<'users'>>
    type Tokens = ReturnType<typeof byTable.table<'tokens'>>
    expectTypeOf<Users['history']>().returns.resolves.toEqualTypeOf<
      AuditEntry<typeof pgApp.users.$inferSelect>[]
    >()
    expectTypeOf<Tokens['history']>().returns.resolves.toEqualTypeOf<
      AuditEntry<typeof pgApp.tokens.$inferSelect>[]
    >()
    const byName = auditPlugin<typeof pgApp>({ tables: { users: { redact: ['email'] } } })
    type ByName = ReturnType<typeof byName.table<'users'>>
    expectTypeOf<ByName['stateAt']>().returns.resolves.toEqualTypeOf<
      typeof pgApp.users.$inferSelect | null
    >()
    // logs() and export() naming a table are typed with it, by its SQL name; others do not compile.
    type UsersPage = Awaited<ReturnType<typeof byTable.logs<'users'>>>
    expectTypeOf<UsersPage['items']>().toEqualTypeOf<
      AuditEntry<typeof pgApp.users.$inferSelect>[]
    >()
    // @ts-expect-error: not an audited table
    expectTypeOf(byTable.logs).toBeCallableWith({ table: 'userz' })
    // Without a schema type, any table name is accepted and rows are plain records.
    const untyped = auditPlugin({ tables: { anything: { primaryKey: 'key' } } })
    type Untyped = ReturnType<typeof untyped.table<'anything'>>
    expectTypeOf<Untyped['history']>().returns.resolves.toEqualTypeOf<
      AuditEntry<Record<string, unknown>>[]
    >()
  })
})
