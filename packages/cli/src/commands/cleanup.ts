import { formatBytes, formatCount, formatDay, RULE } from '../output/format.js'
import type { Output } from '../output/terminal.js'
import { confirmChange } from '../prompt.js'
import type { Session } from '../session.js'

export interface CleanupFlags {
  readonly before?: string
  readonly keepDays?: number
  readonly table?: string
  readonly dryRun?: boolean
  readonly force?: boolean
  readonly json?: boolean
}

/** `chronicle cleanup`: preview what retention deletes, confirm, delete (verify stays true). */
export async function cleanupCommand(
  session: Session,
  flags: CleanupFlags,
  out: Output,
): Promise<number> {
  const audit = session.audit()
  const preview = await audit.cleanup({
    before: flags.before,
    keepDays: flags.keepDays,
    table: flags.table,
    dryRun: true,
  })
  // The whole trail's average entry size, times the entries going: an estimate, as the seed's.
  const stats = await audit.stats()
  const freed = stats.total > 0 ? Math.round((stats.bytes / stats.total) * preview.deleted) : 0
  if (!flags.json) {
    const c = out.colors
    out.line(c.bold('Audit Log Cleanup Preview'))
    out.line(RULE)
    out.line()
    const criteria =
      flags.keepDays !== undefined
        ? `Logs older than ${flags.keepDays} days (before ${formatDay(preview.before)})`
        : `Logs before ${preview.before.toISOString()}`
    out.line(`Criteria: ${criteria}${flags.table ? `, table ${flags.table}` : ''}`)
    out.line()
    const tables = Object.entries(preview.byTable)
    if (tables.length > 0) {
      const width = Math.max(...tables.map(([t]) => t.length)) + 1
      out.line('Entries to delete:')
      for (const [table, n] of tables)
        out.line(`  ${`${table}:`.padEnd(width + 1)} ${formatCount(n)} entries`)
      out.line()
    }
    out.line(`  Total: ${formatCount(preview.deleted)} entries`)
    out.line(`  Storage freed: ~${formatBytes(freed)}`)
    out.line()
  }
  if (preview.deleted === 0 || flags.dryRun) {
    if (flags.json) out.json({ ...preview, bytesFreed: freed })
    else out.line(preview.deleted === 0 ? 'Nothing to clean up.' : 'Dry run: nothing was deleted.')
    return 0
  }
  if (!(await confirmChange('Proceed with cleanup?', flags.force))) {
    out.line('Cleanup cancelled: nothing was deleted.')
    return 0
  }
  // The preview's cutoff, so what is deleted is what was shown even if --keep-days was used.
  const result = await audit.cleanup({ before: preview.before, table: flags.table })
  if (flags.json) out.json({ ...result, bytesFreed: freed })
  else out.line(out.colors.green(`Deleted ${formatCount(result.deleted)} entries.`))
  return 0
}
