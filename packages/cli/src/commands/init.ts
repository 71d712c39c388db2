import type { DialectName } from '@chronicle/core'
import { createAuditTable, getDialect } from '@chronicle/core/adapter'
import type { Output } from '../output/terminal.js'
import type { Session } from '../session.js'

/** The DDL `init` runs, for teams that keep migrations in SQL files. */
export function printDdl(dialect: DialectName, auditTable: string, out: Output): number {
  const statements = getDialect(dialect).auditTableDdl(auditTable)
  out.line(statements.map((statement) => `${statement};`).join('\n\n'))
  return 0
}

/** `chronicle init`: creates the audit table, its indexes and chain tables (idempotent). */
export async function initCommand(session: Session, out: Output): Promise<number> {
  const { database, dialect } = session.open
  await createAuditTable(database, getDialect(dialect), session.auditTable)
  out.line(out.colors.green(`The audit table "${session.auditTable}" is ready (${dialect}).`))
  return 0
}
