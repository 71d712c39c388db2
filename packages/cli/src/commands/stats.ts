import type { StatsShare } from '@chronicle/core'
import { formatBytes, formatCount, formatDay, formatShare, RULE } from '../output/format.js'
import type { Output } from '../output/terminal.js'
import type { Session } from '../session.js'

export interface StatsFlags {
  readonly since?: string
  readonly until?: string
  readonly table?: string
  readonly json?: boolean
}

function shares(title: string, record: Record<string, StatsShare>, out: Output): void {
  const entries = Object.entries(record)
  if (entries.length === 0) return
  const width = Math.max(...entries.map(([key]) => key.length)) + 1
  out.line(`${title}:`)
  for (const [key, { count, share }] of entries) {
    out.line(`  ${`${key}:`.padEnd(width + 1)} ${formatCount(count)} (${formatShare(share)})`)
  }
  out.line()
}

/** `chronicle stats`: totals by action, table and user, peak day and hour, storage. */
export async function statsCommand(
  session: Session,
  flags: StatsFlags,
  out: Output,
): Promise<number> {
  const stats = await session
    .audit()
    .stats({ since: flags.since, until: flags.until, table: flags.table })
  if (flags.json) {
    out.json(stats)
    return 0
  }
  out.line(out.colors.bold('Audit Log Statistics'))
  out.line(RULE)
  out.line()
  if (stats.from && stats.to)
    out.line(`Time Range: ${formatDay(stats.from)} to ${formatDay(stats.to)}`)
  out.line()
  out.line(`Total Entries: ${formatCount(stats.total)}`)
  out.line()
  shares('By Action', stats.byAction, out)
  shares('By Table', stats.byTable, out)
  shares('By User', stats.byActor, out)
  if (stats.peakDay && stats.peakHour) {
    const hour = String(stats.peakHour.hour).padStart(2, '0')
    const next = String((stats.peakHour.hour + 1) % 24).padStart(2, '0')
    out.line('Peak Activity (UTC):')
    out.line(`  Day: ${stats.peakDay.day} (${formatCount(stats.peakDay.count)} entries)`)
    out.line(`  Hour: ${hour}:00-${next}:00 (${formatCount(stats.peakHour.count)} entries)`)
    out.line()
  }
  out.line('Storage:')
  out.line(`  Total Size: ${formatBytes(stats.bytes)}`)
  if (stats.total > 0)
    out.line(`  Avg Entry Size: ${formatBytes(Math.round(stats.bytes / stats.total))}`)
  return 0
}
