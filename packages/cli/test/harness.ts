import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { withAuditContext } from '@chronicle/core'
import { createAuditTable, getDialect, type SqlConnection } from '@chronicle/core/adapter'
import { auditPlugin } from '@chronicle/kysely'
import {
  createTestDatabase,
  type DatabaseKind,
  kyselyDialect,
  openSqlite,
  type TestDatabase,
} from '@chronicle/test-kit'
import { Kysely } from 'kysely'

export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url))

export interface CliResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs the built `chronicle` binary; stdin is a pipe (not a terminal) unless run through `script`. */
export function chronicle(
  args: readonly string[],
  options: { env?: Record<string, string>; input?: string; cwd?: string } = {},
): Promise<CliResult> {
  const { FORCE_COLOR: _f, CHRONICLE_DB: _d, ...env } = process.env
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...env, ...options.env },
      cwd: options.cwd ?? tmpdir(),
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => {
      stdout += chunk
    })
    child.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(options.input ?? '')
  })
}

/** A long-running `chronicle` (studio): its process, and what it prints until it exits. */
export interface RunningCli {
  /** Resolves with the first stdout match of `pattern`; rejects if the process exits first. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>
  signal(name: NodeJS.Signals): void
  readonly exited: Promise<CliResult>
}

export function startChronicle(
  args: readonly string[],
  options: { env?: Record<string, string> } = {},
): RunningCli {
  const { FORCE_COLOR: _f, CHRONICLE_DB: _d, ...env } = process.env
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...env, ...options.env },
    cwd: tmpdir(),
  })
  let stdout = ''
  let stderr = ''
  const waiters: (() => void)[] = []
  child.stdout.on('data', (chunk) => {
    stdout += chunk
    for (const check of [...waiters]) check()
  })
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  const exited = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => {
      for (const check of waiters.splice(0)) check()
      resolve({ code, stdout, stderr })
    })
  })
  return {
    exited,
    signal: (name) => void child.kill(name),
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = stdout.match(pattern)
          if (match) resolve(match)
          else if (child.exitCode !== null || child.signalCode !== null)
            reject(new Error(`exited before printing ${pattern}:\n${stdout}\n${stderr}`))
          else return
          waiters.splice(waiters.indexOf(check), 1)
        }
        waiters.push(check)
        check()
      }),
  }
}

/**
 * Runs the binary under a real pseudo-terminal (util-linux `script`), typing `input`:
 * how a person answers a prompt.
 */
export function chronicleInTerminal(
  args: readonly string[],
  input: string,
  env: Record<string, string>,
) {
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`
  const command = [process.execPath, BIN, ...args].map(quote).join(' ')
  const { FORCE_COLOR: _f, ...rest } = process.env
  return new Promise<CliResult>((resolve, reject) => {
    const child = spawn('script', ['-qefc', command, '/dev/null'], {
      env: { ...rest, TERM: 'dumb', ...env },
    })
    let stdout = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk
      // Answer once the question is on screen, as a person would.
      if (input && stdout.includes('?')) {
        child.stdin.write(input)
        input = ''
      }
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr: '' }))
  })
}

const DDL = {
  sqlite: [
    'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT, password_hash TEXT)',
    'CREATE TABLE orders (order_id TEXT PRIMARY KEY, total INTEGER NOT NULL, status TEXT NOT NULL)',
  ],
  postgres: [
    'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT, password_hash TEXT)',
    'CREATE TABLE orders (order_id TEXT PRIMARY KEY, total INTEGER NOT NULL, status TEXT NOT NULL)',
  ],
  mysql: [
    'CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(191) NOT NULL, name VARCHAR(191), password_hash VARCHAR(191))',
    'CREATE TABLE orders (order_id VARCHAR(64) PRIMARY KEY, total INT NOT NULL, status VARCHAR(32) NOT NULL)',
  ],
}

export interface Demo {
  readonly db: TestDatabase
  /** What `--db` / CHRONICLE_DB takes for this database. */
  readonly url: string
  readonly env: Record<string, string>
  /** The app's audit options, as a config file would carry them. */
  readonly tables: Record<string, unknown>
  count(sql: string): Promise<number>
  close(): Promise<void>
}

/** A database of `kind` the CLI can reach (SQLite: a file), optionally without any tables. */
export async function emptyDatabase(
  kind: DatabaseKind,
): Promise<{ db: TestDatabase; url: string }> {
  if (kind === 'sqlite') {
    const file = join(mkdtempSync(join(tmpdir(), 'chronicle-cli-')), 'app.db')
    return { db: openSqlite(file), url: file }
  }
  const db = await createTestDatabase(kind)
  return { db, url: db.url ?? '' }
}

/**
 * The demo history, written through the Kysely adapter:
 * #1 INSERT users 1, #2 INSERT users 2 (admin); #3 UPDATE users 1 name (admin);
 * #4 UPDATE users 1 email (system); #5 DELETE users 2 (system);
 * #6 billing.plan.changed organization 7; #7 INSERT orders o-1.
 */
export async function demoDatabase(kind: DatabaseKind): Promise<Demo> {
  const { db, url } = await emptyDatabase(kind)
  for (const statement of DDL[db.dialect]) await db.exec(statement)
  const raw: SqlConnection = {
    query: async <R>(sql: string, params: readonly unknown[]) => ({
      rows: (await db.exec(sql, params)) as R[],
    }),
  }
  await createAuditTable(raw, getDialect(db.dialect))
  const tables = { users: { redact: ['password_hash'] }, orders: { primaryKey: 'order_id' } }
  const audit = auditPlugin<any>({ tables })
  const app = new Kysely<any>({ dialect: audit.dialect(kyselyDialect(db)) })
  await withAuditContext({ actorId: 'admin', actorType: 'user' }, async () => {
    await app
      .insertInto('users')
      .values([
        { id: 1, email: 'alice@example.com', name: 'Alice', password_hash: 's1' },
        { id: 2, email: 'bob@example.com', name: 'Bob', password_hash: 's2' },
      ])
      .execute()
    await app.updateTable('users').set({ name: 'Alice B' }).where('id', '=', 1).execute()
  })
  await withAuditContext({ actorId: 'system', actorType: 'system' }, async () => {
    await app.updateTable('users').set({ email: 'alice@new.example' }).where('id', '=', 1).execute()
    await app.deleteFrom('users').where('id', '=', 2).execute()
    await audit.log({
      action: 'billing.plan.changed',
      targetType: 'organization',
      targetId: 7,
      metadata: { plan: 'pro' },
    })
    await app.insertInto('orders').values({ order_id: 'o-1', total: 30, status: 'new' }).execute()
  })
  // SQLite: destroying Kysely would close the handle the test keeps using.
  if (kind !== 'sqlite') await app.destroy()
  return {
    db,
    url,
    env: { CHRONICLE_DB: url },
    tables,
    async count(sql) {
      const [row] = await db.exec(sql)
      return Number(Object.values(row ?? {})[0])
    },
    close: () => db.drop(),
  }
}
