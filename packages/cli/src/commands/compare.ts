import type { VersionDiff } from '@chronicle/core'
import { fieldChangeLines, versionChanges } from '../output/changes.js'
import type { Output } from '../output/terminal.js'
import type { Session } from '../session.js'

function printDiff(title: string, diff: VersionDiff, out: Output): void {
  out.line(out.colors.bold(title))
  out.line()
  if (diff.from === null) out.line('  (the row did not exist in the first version)')
  if (diff.to === null) out.line('  (the row does not exist in the second version)')
  if (diff.changedFields.length === 0) {
    out.line('No differences.')
    return
  }
  out.line('Changed fields:')
  const changes = versionChanges(diff.from, diff.to, diff.changedFields)
  for (const line of fieldChangeLines(changes)) out.line(`  ${line}`)
}

/** `chronicle compare <a> <b>`: the row after entry a against the row after entry b. */
export async function compareCommand(
  session: Session,
  a: number,
  b: number,
  flags: { readonly json?: boolean },
  out: Output,
): Promise<number> {
  const diff = await session.audit().compare(a, b)
  if (flags.json) out.json(diff)
  else printDiff(`Comparing Audit #${a} -> Audit #${b}`, diff, out)
  return 0
}

/** `chronicle diff <table> <id> --from <a> [--to <b>]`: from one version to another or to now. */
export async function diffCommand(
  session: Session,
  table: string,
  key: string | unknown[],
  flags: { readonly from: number; readonly to?: number; readonly json?: boolean },
  out: Output,
): Promise<number> {
  const repo = session.audit(table).table(table)
  const diff = await repo.diff(key, { from: flags.from, to: flags.to })
  if (flags.json) out.json(diff)
  else {
    const to = flags.to === undefined ? 'current' : `Audit #${flags.to}`
    printDiff(`Diff: ${table} #${repo.entityId(key)}, Audit #${flags.from} -> ${to}`, diff, out)
  }
  return 0
}
