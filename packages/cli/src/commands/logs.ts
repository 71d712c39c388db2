import type { AuditEntry, EntryFilter } from '@chronicle/core'
import { changeLines } from '../output/changes.js'
import { actionSymbol, formatTime, renderTable } from '../output/format.js'
import type { Output } from '../output/terminal.js'
import type { Session } from '../session.js'

/** The filter flags `logs` and `export` share. */
export interface FilterFlags {
  readonly table?: string
  readonly user?: string
  readonly action?: string
  readonly entityId?: string
  readonly since?: string
  readonly until?: string
}

export function entryFilter(flags: FilterFlags): EntryFilter {
  const { table, user, action, entityId, since, until } = flags
  return { table, actorId: user, action, entityId, since, until }
}

export interface LogsFlags extends FilterFlags {
  readonly limit: number
  readonly cursor?: string
  readonly json?: boolean
  readonly verbose?: boolean
}

function verboseEntry(entry: AuditEntry, out: Output): void {
  const c = out.colors
  out.line(c.bold(`Audit Log #${entry.id}`))
  out.line('-'.repeat(50))
  out.line(`  Timestamp: ${formatTime(entry.createdAt)}`)
  out.line(`  Table: ${entry.tableName}`)
  out.line(`  Action: ${entry.action}`)
  out.line(`  Entity ID: ${entry.entityId}`)
  out.line(`  User: ${entry.actorId ?? '-'}${entry.actorType ? ` (${entry.actorType})` : ''}`)
  out.line(`  Transaction: ${entry.transactionId}`)
  if (entry.metadata) out.line(`  Metadata: ${JSON.stringify(entry.metadata)}`)
  const lines = changeLines(entry)
  if (lines.length > 0) {
    out.line()
    out.line(
      entry.action === 'UPDATE'
        ? '  Changes:'
        : entry.action === 'DELETE'
          ? '  Deleted:'
          : '  Values:',
    )
    for (const line of lines) out.line(`      ${line}`)
  }
  out.line()
}

/** `chronicle logs`: entries matching the filters, newest first. */
export async function logsCommand(
  session: Session,
  flags: LogsFlags,
  out: Output,
): Promise<number> {
  const page = await session.audit().logs({
    ...entryFilter(flags),
    limit: flags.limit,
    cursor: flags.cursor,
  })
  if (flags.json) {
    out.json(page)
    return 0
  }
  if (page.items.length === 0) {
    out.line('No audit entries match.')
    return 0
  }
  if (flags.verbose) {
    for (const entry of page.items) verboseEntry(entry, out)
  } else {
    const rows = page.items.map((entry) => [
      String(entry.id),
      formatTime(entry.createdAt).slice(0, 16),
      entry.tableName,
      actionSymbol(entry.action, out.colors),
      entry.entityId,
      entry.actorId ?? '-',
      entry.action === 'UPDATE' ? String(entry.changedFields.length) : '-',
    ])
    out.line(
      renderTable(['ID', 'Time', 'Table', 'Action', 'Entity', 'User', 'Changes'], rows, out.colors),
    )
  }
  if (page.nextCursor) out.note(`More entries: add --cursor ${page.nextCursor}`)
  return 0
}
