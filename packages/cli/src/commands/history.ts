import { type AuditEntry, isChronicleError, REDACTED } from '@chronicle/core'
import { changeLines } from '../output/changes.js'
import { colorAction, formatSpan, formatTime } from '../output/format.js'
import type { Output } from '../output/terminal.js'
import type { Session } from '../session.js'

export interface HistoryFlags {
  readonly limit: number
  readonly showValues?: boolean
  readonly json?: boolean
  readonly reverse?: boolean
}

/** What the shown entries add up to: counts per action and actor, and the time they span. */
function summarise(entries: AuditEntry[]) {
  const count = (key: (e: AuditEntry) => string) => {
    const counts = new Map<string, number>()
    for (const entry of entries) counts.set(key(entry), (counts.get(key(entry)) ?? 0) + 1)
    return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
  }
  const times = entries.map((e) => e.createdAt.getTime())
  const first = times.length > 0 ? Math.min(...times) : null
  const last = times.length > 0 ? Math.max(...times) : null
  return {
    total: entries.length,
    from: first === null ? null : new Date(first),
    to: last === null ? null : new Date(last),
    spanMs: first === null || last === null ? 0 : last - first,
    actions: Object.fromEntries(count((e) => e.action)),
    topUsers: count((e) => e.actorId ?? '(none)')
      .slice(0, 5)
      .map(([actor, n]) => ({ actor, count: n })),
  }
}

/** `chronicle history <table> <id>`: one row's current state, timeline and summary. */
export async function historyCommand(
  session: Session,
  table: string,
  key: string | unknown[],
  flags: HistoryFlags,
  out: Output,
): Promise<number> {
  const repo = session.audit(table).table(table)
  const entries = await repo.history(key, {
    limit: flags.limit,
    order: flags.reverse ? 'asc' : 'desc',
  })
  let current: object | null | undefined
  try {
    current = await repo.current(key)
  } catch (error) {
    // An event's target type, or a table whose key the config does not describe: no live row.
    if (
      !isChronicleError(error, 'UNKNOWN_TABLE') &&
      !isChronicleError(error, 'MISSING_PRIMARY_KEY')
    )
      throw error
  }
  // The live row is shown as the snapshots store it: a column they redact stays hidden.
  const hidden = new Set([...session.redacted(table)])
  for (const entry of entries) {
    for (const [column, value] of Object.entries({ ...entry.oldValues, ...entry.newValues })) {
      if (value === REDACTED) hidden.add(column)
    }
  }
  if (current) {
    current = Object.fromEntries(
      Object.entries(current).map(([column, value]) => [
        column,
        hidden.has(column) ? REDACTED : value,
      ]),
    )
  }
  const summary = summarise(entries)
  const entityId = repo.entityId(key)
  if (flags.json) {
    out.json({ table, entityId, current: current ?? null, entries, summary })
    return 0
  }
  const c = out.colors
  out.line(c.bold(`Entity History: ${table} #${entityId}`))
  out.line()
  if (current !== undefined) {
    out.line(c.bold('Current State'))
    out.line(`  ${current === null ? '(deleted or never existed)' : JSON.stringify(current)}`)
    out.line()
  }
  if (entries.length === 0) {
    out.line('No audit entries for this entity.')
    return 0
  }
  entries.forEach((entry, i) => {
    const last = i === entries.length - 1
    const bar = last ? ' ' : '|'
    out.line(
      `${last ? '+-' : '|-'} ${formatTime(entry.createdAt)} | ${colorAction(entry.action, c)} | ${entry.actorId ?? '-'}`,
    )
    out.line(`${bar}   Audit #${entry.id}`)
    const lines = changeLines(entry)
    const show = flags.showValues || entry.action !== 'UPDATE'
    if (entry.action === 'UPDATE') {
      out.line(
        `${bar}   Changed fields:${flags.showValues ? '' : ` ${entry.changedFields.join(', ')}`}`,
      )
    } else if (lines.length > 0) {
      out.line(
        `${bar}   ${entry.action === 'DELETE' ? 'Deleted with:' : entry.action === 'INSERT' ? 'Created with:' : 'Values:'}`,
      )
    }
    if (show) for (const line of lines) out.line(`${bar}     ${line}`)
    if (!last) out.line('|')
  })
  out.line()
  out.line('-'.repeat(50))
  out.line(c.bold('Summary:'))
  out.line(`  Total Changes: ${summary.total}`)
  out.line(`  Time Span: ${formatSpan(summary.spanMs)}`)
  out.line(
    `  Actions: ${Object.entries(summary.actions)
      .map(([a, n]) => `${a} (${n})`)
      .join(', ')}`,
  )
  out.line(`  Top Users: ${summary.topUsers.map((u) => `${u.actor} (${u.count})`).join(', ')}`)
  return 0
}
