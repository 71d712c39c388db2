import { CliError, EXIT } from '../errors.js'
import { formatCount } from '../output/format.js'
import type { Output } from '../output/terminal.js'
import type { Session } from '../session.js'

/** `chronicle seal`: chains committed entries; prints the head digest alone on stdout. */
export async function sealCommand(
  session: Session,
  flags: { readonly delay?: number; readonly json?: boolean },
  out: Output,
): Promise<number> {
  const result = await session
    .audit()
    .seal(flags.delay === undefined ? {} : { sealDelayMs: flags.delay })
  if (flags.json) {
    out.json(result)
    return 0
  }
  if (result.head === null) {
    out.note('Nothing sealed: the audit trail has no committed entries yet.')
    return 0
  }
  out.note(
    `Sealed ${formatCount(result.sealed)} new entries; the chain runs through #${result.through}.`,
  )
  out.note(
    'Keep this head outside the database; `chronicle verify --head <digest>` checks against it.',
  )
  out.line(result.head)
  return 0
}

/** `chronicle verify`: exit 3 naming each broken entry, or when the chain left the given head. */
export async function verifyCommand(
  session: Session,
  flags: { readonly head?: string; readonly since?: string; readonly json?: boolean },
  out: Output,
): Promise<number> {
  if (flags.head !== undefined && !/^[0-9a-f]{64}$/.test(flags.head)) {
    throw new CliError(
      '--head must be the 64-character hex digest `chronicle seal` printed.',
      EXIT.usage,
    )
  }
  const result = await session.audit().verify({ since: flags.since, head: flags.head })
  if (flags.json) {
    out.json(result)
    return result.ok ? EXIT.ok : EXIT.broken
  }
  const c = out.colors
  for (const { id, reason } of result.broken) out.line(c.red(`broken: entry #${id} ${reason}`))
  if (result.headFound === false) {
    out.line(
      c.red(
        `broken: the chain no longer passes through head ${flags.head}: it was rewritten or cut back`,
      ),
    )
  }
  const summary = `${formatCount(result.checked)} checked, ${formatCount(result.unsealed)} not sealed yet`
  if (result.ok) {
    out.line(c.green(`OK: ${summary}${result.headFound ? ', head found' : ''}.`))
    if (result.head) out.line(`Head: ${result.head}`)
    return EXIT.ok
  }
  out.line(c.red(`FAILED: ${result.broken.length} broken entries; ${summary}.`))
  return EXIT.broken
}
