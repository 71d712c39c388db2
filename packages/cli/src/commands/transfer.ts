import { createReadStream, createWriteStream, existsSync } from 'node:fs'
import { PassThrough } from 'node:stream'
import type { EntryFilter } from '@chronicle/core'
import { CliError } from '../errors.js'
import { formatCount } from '../output/format.js'
import type { Output } from '../output/terminal.js'
import type { Session } from '../session.js'

export interface ExportFlags {
  readonly out?: string
  readonly table?: string
  readonly user?: string
  readonly action?: string
  readonly entityId?: string
  readonly since?: string
  readonly until?: string
}

/** `chronicle export`: JSON Lines, oldest first, streamed (constant memory) to a file or stdout. */
export async function exportCommand(
  session: Session,
  flags: ExportFlags,
  out: Output,
): Promise<number> {
  const filter: EntryFilter = {
    table: flags.table,
    actorId: flags.user,
    action: flags.action,
    entityId: flags.entityId,
    since: flags.since,
    until: flags.until,
  }
  let target: NodeJS.WritableStream
  if (flags.out === undefined || flags.out === '-') {
    // exportJsonl ends its stream; stdout must stay open for the process.
    const pass = new PassThrough()
    pass.pipe(process.stdout, { end: false })
    target = pass
  } else {
    target = createWriteStream(flags.out)
  }
  const count = await session.audit().exportJsonl(filter, target)
  if (flags.out !== undefined && flags.out !== '-') {
    out.note(`Exported ${formatCount(count)} entries to ${flags.out}`)
  } else if (process.stderr.isTTY) {
    out.note(`Exported ${formatCount(count)} entries`)
  }
  return 0
}

/** `chronicle import <file>`: JSON Lines from export, ids and hashes kept; re-importing is harmless. */
export async function importCommand(
  session: Session,
  file: string,
  flags: { readonly json?: boolean },
  out: Output,
): Promise<number> {
  if (file !== '-' && !existsSync(file)) throw new CliError(`no such file: ${file}`)
  const source = file === '-' ? process.stdin : createReadStream(file)
  const result = await session.audit().importJsonl(source)
  if (flags.json) out.json(result)
  else {
    out.line(
      `Imported ${formatCount(result.imported)} entries, skipped ${formatCount(result.skipped)} already present.`,
    )
  }
  return 0
}
