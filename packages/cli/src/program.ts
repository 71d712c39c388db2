import { Command, CommanderError, Option } from 'commander'
import { cleanupCommand } from './commands/cleanup.js'
import { compareCommand, diffCommand } from './commands/compare.js'
import { historyCommand } from './commands/history.js'
import { initCommand, printDdl } from './commands/init.js'
import { sealCommand, verifyCommand } from './commands/integrity.js'
import { logsCommand } from './commands/logs.js'
import { entityKey, isoTime, port, positiveInt, wholeNumber } from './commands/parse.js'
import { restoreCommand } from './commands/restore.js'
import { statsCommand } from './commands/stats.js'
import { studioCommand } from './commands/studio.js'
import { exportCommand, importCommand } from './commands/transfer.js'
import { loadConfig } from './config.js'
import { EXIT } from './errors.js'
import { type Output, stdOutput } from './output/terminal.js'
import { reportError } from './report-error.js'
import { resolveTarget, Session } from './session.js'

interface GlobalFlags {
  readonly db?: string
  readonly config?: string
  readonly auditTable?: string
}

const examples = (...lines: string[]) =>
  `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`

/** `insert` as `INSERT`; event names and prefixes (`billing`) as given. */
const actionName = (value: string) =>
  /^(insert|update|delete)$/i.test(value) ? value.toUpperCase() : value

/** Builds the `chronicle` program; `run` parses argv with it. */
export function buildProgram(state: { code: number; auditTable: string }, out: Output): Command {
  const program = new Command('chronicle')
    .description('Query, restore, verify and maintain a Chronicle audit trail.')
    .version('0.1.0')
    .option(
      '--db <url>',
      'database: ./app.db, sqlite:…, postgres://…, mysql://…, mariadb://… (or CHRONICLE_DB)',
    )
    .option(
      '-c, --config <path>',
      'chronicle.config.{ts,js,json}: db, tables and auditTable as the app configures them',
    )
    .option('--audit-table <name>', 'the audit table (default: audit_logs)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()

  /** Runs `work` on a connected session; the exit code is what it returns. */
  const connected =
    (work: (session: Session, ...args: never[]) => Promise<number>, create = false) =>
    async (...args: unknown[]) => {
      const command = args.at(-1) as Command
      const flags = command.optsWithGlobals<GlobalFlags>()
      const config = await loadConfig(flags.config)
      state.auditTable = flags.auditTable ?? config.auditTable ?? state.auditTable
      const session = await Session.connect(flags, config, { create })
      try {
        state.code = await (work as (session: Session, ...rest: unknown[]) => Promise<number>)(
          session,
          ...args.slice(0, -1),
        )
      } finally {
        await session.close()
      }
    }

  program
    .command('logs')
    .description('Query audit entries, newest first')
    .option('-t, --table <name>', 'filter by table (or event target type)')
    .option('-u, --user <id>', 'filter by actor id')
    .option(
      '-a, --action <type>',
      'INSERT, UPDATE, DELETE, or an event name or prefix (billing)',
      actionName,
    )
    .option('-l, --limit <n>', 'entries per page (at most 1000)', positiveInt, 50)
    .option('-s, --since <datetime>', 'entries at or after (ISO 8601)', isoTime)
    .option('--until <datetime>', 'entries at or before (ISO 8601)', isoTime)
    .option('-e, --entity-id <id>', 'filter by entity id')
    .option('--cursor <cursor>', 'the next page, as printed after a full page')
    .option('--json', 'output { items, nextCursor } as JSON')
    .option('-v, --verbose', 'show every entry with its changes')
    .addHelpText(
      'after',
      examples(
        'chronicle logs --db ./app.db',
        'chronicle logs --table users --action UPDATE',
        'chronicle logs --action billing --since 2026-01-01',
        'chronicle logs --table orders --entity-id 42 --verbose',
        'chronicle logs --json | jq ".items[].id"',
      ),
    )
    .action(connected((session, flags) => logsCommand(session, flags, out)))

  program
    .command('history')
    .description('Show one row’s timeline, current state and summary')
    .argument('<table>', 'table name')
    .argument('<id>', 'entity id (a JSON array for a composite key)', entityKey)
    .option('-l, --limit <n>', 'entries to show', positiveInt, 20)
    .option('--show-values', 'show the values of changed fields')
    .option('--json', 'output as JSON')
    .option('--reverse', 'oldest first (default: newest first)')
    .addHelpText(
      'after',
      examples(
        'chronicle history users 1',
        'chronicle history users 1 --show-values',
        'chronicle history memberships \'[7,"eu"]\' --reverse',
      ),
    )
    .action(
      connected((session, table, key, flags) => historyCommand(session, table, key, flags, out)),
    )

  program
    .command('restore')
    .description(
      'Put a row back as it was before (or after) an audit entry; the restore is audited',
    )
    .argument('<audit-id>', 'audit entry id', positiveInt)
    .option('--dry-run', 'show the changes, write nothing')
    .option('--force', 'do not ask for confirmation')
    .addOption(
      new Option('--to <point>', 'before: undo the entry; after: the row as the entry left it')
        .choices(['before', 'after'])
        .default('before'),
    )
    .option('--allow-drift', 'drop snapshot columns the table no longer has')
    .option('--json', 'output the result as JSON')
    .addHelpText(
      'after',
      examples(
        'chronicle restore 123 --dry-run',
        'chronicle restore 123',
        'chronicle restore 123 --force',
      ),
    )
    .action(connected((session, id, flags) => restoreCommand(session, id, flags, out)))

  program
    .command('stats')
    .description('Totals by action, table and user; peak day and hour; storage')
    .option('--since <datetime>', 'entries at or after', isoTime)
    .option('--until <datetime>', 'entries at or before', isoTime)
    .option('-t, --table <name>', 'one table only')
    .option('--json', 'output as JSON')
    .addHelpText(
      'after',
      examples('chronicle stats', 'chronicle stats --since 2026-01-01 --table users'),
    )
    .action(connected((session, flags) => statsCommand(session, flags, out)))

  program
    .command('cleanup')
    .description('Delete old entries (verify stays true)')
    .option('--before <datetime>', 'delete entries written before', isoTime)
    .option('--keep-days <n>', 'keep the last n days', wholeNumber)
    .option('-t, --table <name>', 'one table only')
    .option('--dry-run', 'show what would go, delete nothing')
    .option('--force', 'do not ask for confirmation')
    .option('--json', 'output as JSON')
    .addHelpText(
      'after',
      examples(
        'chronicle cleanup --keep-days 90 --dry-run',
        'chronicle cleanup --before 2026-01-01',
        'chronicle cleanup --table sessions --keep-days 30 --force',
      ),
    )
    .action(connected((session, flags) => cleanupCommand(session, flags, out)))

  program
    .command('compare')
    .description('Compare the row versions two audit entries left')
    .argument('<audit-id-1>', 'first entry', positiveInt)
    .argument('<audit-id-2>', 'second entry', positiveInt)
    .option('--json', 'output { from, to, changedFields, patch } as JSON')
    .addHelpText('after', examples('chronicle compare 100 123'))
    .action(connected((session, a, b, flags) => compareCommand(session, a, b, flags, out)))

  program
    .command('diff')
    .description('Differences of one row from an audit entry to another, or to its current state')
    .argument('<table>', 'table name')
    .argument('<id>', 'entity id (a JSON array for a composite key)', entityKey)
    .requiredOption('--from <audit-id>', 'starting version', positiveInt)
    .option('--to <audit-id>', 'ending version (default: current)', positiveInt)
    .option('--json', 'output as JSON')
    .addHelpText(
      'after',
      examples('chronicle diff users 1 --from 100', 'chronicle diff users 1 --from 100 --to 123'),
    )
    .action(connected((session, table, key, flags) => diffCommand(session, table, key, flags, out)))

  program
    .command('export')
    .description('Stream entries as JSON Lines, oldest first')
    .option('-o, --out <file>', 'write to a file (default: stdout)')
    .option('-t, --table <name>', 'filter by table')
    .option('-u, --user <id>', 'filter by actor id')
    .option('-a, --action <type>', 'INSERT, UPDATE, DELETE, or an event prefix', actionName)
    .option('-e, --entity-id <id>', 'filter by entity id')
    .option('-s, --since <datetime>', 'entries at or after', isoTime)
    .option('--until <datetime>', 'entries at or before', isoTime)
    .addHelpText(
      'after',
      examples(
        'chronicle export --out audit.jsonl',
        'chronicle export --since 2026-01-01 | gzip > jan.jsonl.gz',
      ),
    )
    .action(connected((session, flags) => exportCommand(session, flags, out)))

  program
    .command('import')
    .description('Import JSON Lines written by export (ids and hashes kept; re-importing skips)')
    .argument('<file>', 'a .jsonl file, or - for stdin')
    .option('--json', 'output { imported, skipped } as JSON')
    .addHelpText(
      'after',
      examples('chronicle import audit.jsonl --db postgres://localhost/archive'),
    )
    .action(connected((session, file, flags) => importCommand(session, file, flags, out)))

  program
    .command('init')
    .description('Create the audit table, its indexes and chain tables (idempotent)')
    .option('--print', 'print the DDL instead of running it')
    .addOption(
      new Option('--dialect <name>', 'with --print and no database: the SQL dialect').choices([
        'sqlite',
        'postgres',
        'mysql',
      ]),
    )
    .addHelpText(
      'after',
      examples(
        'chronicle init --db ./app.db',
        'chronicle init --print --dialect postgres > migrations/001_audit.sql',
      ),
    )
    .action(
      async (
        flags: { print?: boolean; dialect?: 'sqlite' | 'postgres' | 'mysql' },
        command: Command,
      ) => {
        if (!flags.print) return connected((session) => initCommand(session, out), true)(command)
        const globals = command.optsWithGlobals<GlobalFlags>()
        const config = await loadConfig(globals.config)
        const table = globals.auditTable ?? config.auditTable ?? 'audit_logs'
        const dialect = flags.dialect ?? resolveTarget(globals, config).dialect
        state.code = printDdl(dialect, table, out)
      },
    )

  program
    .command('seal')
    .description(
      'Chain committed entries; prints the chain head digest to keep outside the database',
    )
    .option(
      '--delay <ms>',
      'an id gap younger than this may be a running transaction (default 60000)',
      wholeNumber,
    )
    .option('--json', 'output { sealed, through, head } as JSON')
    .addHelpText(
      'after',
      examples('chronicle seal > head.txt', 'chronicle verify --head "$(cat head.txt)"'),
    )
    .action(connected((session, flags) => sealCommand(session, flags, out)))

  program
    .command('verify')
    .description('Check every entry and the chain; exit 3 naming each broken entry')
    .option('--head <digest>', 'also fail unless the chain still passes through this sealed head')
    .option('-s, --since <datetime>', 'start at entries written at or after', isoTime)
    .option('--json', 'output { ok, checked, unsealed, broken, head, headFound } as JSON')
    .addHelpText('after', examples('chronicle verify', 'chronicle verify --head 3f7a…e1 --json'))
    .action(connected((session, flags) => verifyCommand(session, flags, out)))

  program
    .command('studio')
    .description('Browse the audit trail in the viewer on localhost, until Ctrl-C')
    .option('-p, --port <n>', 'port to listen on (0 takes a free one)', port, 4747)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--allow-restore', 'allow restore and revert (read-only without it)')
    .option('--open', 'open the page in the default browser')
    .addHelpText(
      'after',
      examples(
        'chronicle studio --db ./app.db',
        'chronicle studio --db postgres://localhost/app --port 4000 --open',
        'chronicle studio --allow-restore',
      ),
    )
    .action(connected((session, flags) => studioCommand(session, flags, out)))

  return program
}

/** Runs the CLI on `argv` (as process.argv) and returns the exit code. */
export async function run(argv: readonly string[]): Promise<number> {
  const out = stdOutput()
  const state = { code: EXIT.ok as number, auditTable: 'audit_logs' }
  const program = buildProgram(state, out)
  try {
    await program.parseAsync([...argv])
    return state.code
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander printed the message or help; no command at all is a usage error too.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage
    }
    return reportError(error, out.colors, state.auditTable)
  }
}
