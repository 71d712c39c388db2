import { ChronicleError } from '@chronicle/core'
import { CliError, EXIT } from './errors.js'
import type { Colors } from './output/terminal.js'

const USAGE_CODES = new Set(['INVALID_FILTER', 'INVALID_ACTION', 'INVALID_IDENTIFIER'])

/** Prints a failure for people and returns its exit code. */
export function reportError(error: unknown, colors: Colors, auditTable: string): number {
  const say = (text: string) => process.stderr.write(`${colors.red('error:')} ${text}\n`)
  if (error instanceof CliError) {
    say(error.message)
    return error.exitCode
  }
  if (error instanceof ChronicleError) {
    const message = error.message.replace(/^\[chronicle\] /, '')
    if (error.code === 'MISSING_AUDIT_TABLE') {
      say(`the audit table "${auditTable}" does not exist in this database.`)
      process.stderr.write(
        [
          'To enable audit logging:',
          '  1. Create it: chronicle init (or chronicle init --print for the SQL, to put in a migration)',
          '  2. Attach the audit plugin to your ORM (@chronicle/kysely, @chronicle/prisma or @chronicle/drizzle)',
          '  If your audit table has another name, pass --audit-table <name>.',
          '',
        ].join('\n'),
      )
      return EXIT.error
    }
    say(message)
    return USAGE_CODES.has(error.code) ? EXIT.usage : EXIT.error
  }
  say(error instanceof Error ? error.message : String(error))
  if (process.env.CHRONICLE_DEBUG && error instanceof Error)
    process.stderr.write(`${error.stack}\n`)
  return EXIT.error
}
