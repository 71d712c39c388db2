import { fieldChangeLines } from '../output/changes.js'
import { formatTime } from '../output/format.js'
import type { Output } from '../output/terminal.js'
import { confirmChange } from '../prompt.js'
import type { Session } from '../session.js'

export interface RestoreFlags {
  readonly dryRun?: boolean
  readonly force?: boolean
  readonly to: 'before' | 'after'
  readonly allowDrift?: boolean
  readonly json?: boolean
}

/** `chronicle restore <audit-id>`: preview, confirm, then restore one row through core. */
export async function restoreCommand(
  session: Session,
  auditId: number,
  flags: RestoreFlags,
  out: Output,
): Promise<number> {
  const entry = await session.audit().entry(auditId)
  const audit = session.audit(entry.tableName)
  const options = { to: flags.to, allowDrift: flags.allowDrift ?? false }
  const preview = await audit.restore(auditId, { ...options, dryRun: true })
  // JSON output keeps stdout machine-readable: the preview goes out only when nothing follows.
  const c = out.colors
  if (!flags.json) {
    out.line(c.bold(`Restoring from Audit Log #${auditId}`))
    out.line()
    out.line(`Table: ${preview.tableName}`)
    out.line(`Entity ID: ${preview.entityId}`)
    out.line(`Restore Point: ${formatTime(entry.createdAt)} (${flags.to} ${entry.action})`)
    out.line()
    if (preview.changes.length > 0) {
      out.line('Changes to apply:')
      for (const line of fieldChangeLines(preview.changes)) out.line(`  ${line}`)
    }
    if (preview.droppedColumns.length > 0) {
      out.line(
        c.yellow(`Columns no longer in the table, dropped: ${preview.droppedColumns.join(', ')}`),
      )
    }
    if (preview.skippedColumns.length > 0) {
      out.line(c.yellow(`Redacted columns, left as they are: ${preview.skippedColumns.join(', ')}`))
    }
    out.line()
  }
  if (preview.changes.length === 0) {
    if (flags.json) out.json(preview)
    else out.line('Nothing to restore: the row already matches.')
    return 0
  }
  if (flags.dryRun) {
    if (flags.json) out.json(preview)
    else out.line('Dry run: nothing was changed.')
    return 0
  }
  if (!(await confirmChange('Proceed with restore?', flags.force))) {
    out.line('Restore cancelled: nothing was changed.')
    return 0
  }
  const result = await audit.restore(auditId, options)
  if (flags.json) out.json(result)
  else
    out.line(
      c.green(
        `Restored ${result.tableName} #${result.entityId} (${result.changes.length} field(s)).`,
      ),
    )
  return 0
}
