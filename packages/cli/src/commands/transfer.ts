import { createReadStream, createWriteStream, existsSync, statSync } from 'node:fs'
import { Transform } from 'node:stream'
import { finished } from 'node:stream/promises'
import { CliError } from '../errors.js'
import { formatBytes, formatCount } from '../output/format.js'
import { progress } from '../output/progress.js'
import type { Output } from '../output/terminal.js'
import type { Session } from '../session.js'
import { entryFilter, type FilterFlags } from './logs.js'

export interface ExportFlags extends FilterFlags {
  readonly out?: string
}

/** `chronicle export`: JSON Lines, oldest first, streamed (constant memory) to a file or stdout. */
export async function exportCommand(
  session: Session,
  flags: ExportFlags,
  out: Output,
): Promise<number> {
  const filter = entryFilter(flags)
  const toStdout = flags.out === undefined || flags.out === '-'
  const target = toStdout ? process.stdout : createWriteStream(flags.out as string)
  // Counts lines on their way out, for the progress line; exportJsonl ends it, and stdout
  // must stay open for the process, so it is piped without ending its target.
  const bar = progress('Exporting…')
  let lines = 0
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      for (const byte of chunk) if (byte === 10) lines += 1
      bar.update(`Exporting… ${formatCount(lines)} entries`)
      done(null, chunk)
    },
  })
  counter.pipe(target, { end: !toStdout })
  let count: number
  try {
    count = await session.audit().exportJsonl(filter, counter)
    if (!toStdout) await finished(target)
  } finally {
    bar.stop()
  }
  if (!toStdout) out.note(`Exported ${formatCount(count)} entries to ${flags.out}`)
  else if (process.stderr.isTTY) out.note(`Exported ${formatCount(count)} entries`)
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
  const total = file === '-' ? undefined : statSync(file).size
  const bar = progress('Importing…')
  let read = 0
  async function* counted() {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      read += chunk.length
      bar.update(
        `Importing… ${formatBytes(read)}${total ? ` of ${formatBytes(total)} (${Math.floor((read / total) * 100)}%)` : ''}`,
      )
      yield chunk
    }
  }
  let result: Awaited<ReturnType<ReturnType<Session['audit']>['importJsonl']>>
  try {
    result = await session.audit().importJsonl(counted())
  } finally {
    bar.stop()
  }
  if (flags.json) out.json(result)
  else {
    out.line(
      `Imported ${formatCount(result.imported)} entries, skipped ${formatCount(result.skipped)} already present.`,
    )
  }
  return 0
}
