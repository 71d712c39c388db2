import {
  type AuditEngine,
  ChronicleError,
  captureWrite,
  captureWriteSync,
  commitEntries,
  commitEntriesSync,
  type SqlResult,
  TransactionGuard,
  type WriteDescription,
} from '@chronicle/core/adapter'
import { QueryPromise } from 'drizzle-orm'
import {
  captureConnection,
  type Driver,
  type DriverClient,
  syncCaptureConnection,
} from './drivers.js'
import {
  columnDefaults,
  columnName,
  isColumn,
  mapResultRow,
  type OrderedField,
  sessionClient,
  writeConfig,
} from './drizzle-internals.js'
import {
  type Conflict,
  conflictColumns,
  describeWrite,
  type PlanContext,
  type WriteKind,
} from './write-plan.js'

/** One db or transaction as the adapter sees it: where its writes run, and their transaction. */
export interface Scope {
  readonly engine: AuditEngine
  readonly driver: Driver
  readonly context: PlanContext
  /** The driver client this db or transaction runs on. */
  readonly client: DriverClient
  readonly begin: string
  /** The open transaction; `undefined` for the db itself (writes get one of their own). */
  readonly guard: TransactionGuard | undefined
  /** Audited writes on one connection run one at a time: pre-read, write, entries. */
  readonly queue: { tail: Promise<unknown> }
  /** False once the transaction's callback has returned: its `tx` may no longer write. */
  readonly open: { value: boolean }
}

const scopes = new WeakMap<object, Scope>()

/** The scope of an attached db or transaction. */
export function scopeOf(db: object): Scope | undefined {
  return scopes.get(db)
}

const WRITES = new Set<string | symbol>(['insert', 'update', 'delete'])

/** The db or transaction, same type, with its writes captured and its transactions tracked. */
export function attachScope<DB extends object>(db: DB, scope: Scope): DB {
  const attached = new Proxy(db, {
    get(target, key, receiver) {
      if (WRITES.has(key)) {
        const method = Reflect.get(target, key) as (table: unknown) => object
        return (table: unknown) => intermediate(method.call(target, table), key as WriteKind, scope)
      }
      if (key === 'transaction') {
        const method = Reflect.get(target, key) as TransactionMethod
        return (work: (tx: object) => unknown, config?: unknown) =>
          transaction(target, method, scope, work, config)
      }
      if (key === 'session') return guardedSession(Reflect.get(target, key) as object, scope)
      return Reflect.get(target, key, receiver)
    },
  })
  scopes.set(attached, scope)
  return attached
}

const guarded = new WeakMap<object, object>()

/**
 * The db's session as its other builders get it (`db.with(…).update(…)` and the like):
 * a write to an audited table that reaches it was not captured, so it is refused before
 * it runs. Drizzle tells its session what a query writes (`queryMetadata`).
 */
function guardedSession(session: object, scope: Scope): object {
  let proxy = guarded.get(session)
  if (!proxy) {
    proxy = new Proxy(session, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver)
        if (
          (key !== 'prepareQuery' && key !== 'prepareOneTimeQuery') ||
          typeof value !== 'function'
        )
          return value
        return (...args: unknown[]) => {
          refuseUncaptured(args, scope)
          return value.apply(receiver, args)
        }
      },
    })
    guarded.set(session, proxy)
  }
  return proxy
}

function refuseUncaptured(args: readonly unknown[], scope: Scope): void {
  const metadata = args.find(
    (arg): arg is { type: string; tables: string[] } =>
      typeof arg === 'object' && arg !== null && 'type' in arg && 'tables' in arg,
  )
  if (!metadata || metadata.type === 'select') return
  for (const name of metadata.tables) {
    const dot = name.indexOf('.')
    const target =
      dot < 0
        ? scope.context.audited(name, undefined)
        : scope.context.audited(name.slice(dot + 1), name.slice(0, dot))
    if (target) {
      throw new ChronicleError(
        'UNSUPPORTED',
        `a write to audited table "${target.table}" built outside db.insert/update/delete (db.with(…), say) cannot be captured`,
        { table: target.table },
      )
    }
  }
}

type TransactionMethod = (work: (tx: object) => unknown, config?: unknown) => unknown

let savepoints = 0

function isAsyncFunction(work: unknown): boolean {
  return Object.prototype.toString.call(work) === '[object AsyncFunction]'
}

function isThenable(value: unknown): boolean {
  return typeof (value as { then?: unknown } | null)?.then === 'function'
}

function asyncOnSyncDriver(): ChronicleError {
  return new ChronicleError(
    'UNSUPPORTED',
    "Drizzle's better-sqlite3 transactions are synchronous: an async callback would run its awaited writes after the transaction ended, outside it. Use a synchronous callback with .run()/.all()/.get()",
  )
}

/**
 * Runs just before the COMMIT of `guard`'s transaction on the scope's connection (see
 * core's `commitEntries`): synchronously on a synchronous driver, else the promise.
 */
export function commitScope(scope: Scope, guard: TransactionGuard): Promise<void> | undefined {
  if (scope.driver.querySync) {
    const connection = syncCaptureConnection(scope.driver, scope.client, scope.begin)
    commitEntriesSync(scope.engine, connection, guard)
    return undefined
  }
  const connection = captureConnection(scope.driver, scope.client, scope.begin)
  return commitEntries(scope.engine, connection, guard)
}

/**
 * Runs `work` in Drizzle's transaction (a savepoint when nested) with a scope whose guard
 * knows it: the transaction commits only if every audited write's entries were written.
 * On a synchronous driver the callback must be synchronous, as Drizzle requires there.
 */
function transaction(
  db: object,
  method: TransactionMethod,
  scope: Scope,
  work: (tx: object) => unknown,
  config: unknown,
): unknown {
  const sync = scope.driver.querySync !== undefined
  if (sync && isAsyncFunction(work)) throw asyncOnSyncDriver()
  const outer = scope.guard
  const body = (
    tx: object,
    guard: TransactionGuard,
    finish: (result: unknown, inner: Scope) => unknown,
  ) => {
    const inner: Scope = {
      ...scope,
      client: sessionClient(tx) as DriverClient,
      guard,
      queue: outer ? scope.queue : { tail: Promise.resolve() },
      open: { value: true },
    }
    const close = () => {
      inner.open.value = false
    }
    let result: unknown
    try {
      result = work(attachScope(tx, inner))
    } catch (error) {
      close()
      throw error
    }
    if (!isThenable(result)) {
      close()
      return finish(result, inner)
    }
    if (sync) {
      close()
      throw asyncOnSyncDriver()
    }
    return (result as Promise<unknown>).then(
      (value) => {
        close()
        return finish(value, inner)
      },
      (error: unknown) => {
        close()
        throw error
      },
    )
  }
  if (!outer) {
    return method.call(
      db,
      (tx: object) => {
        const guard = new TransactionGuard()
        guard.begin()
        const end = (result: unknown) => {
          guard.end()
          return result
        }
        try {
          // Thrown inside Drizzle's callback, a refused commit makes Drizzle roll back.
          const result = body(tx, guard, (value, inner) => {
            const done = commitScope(inner, guard)
            return done ? done.then(() => value) : value
          })
          return isThenable(result)
            ? (result as Promise<unknown>).finally(() => guard.end())
            : end(result)
        } catch (error) {
          guard.end()
          throw error
        }
      },
      config,
    )
  }
  // Nested: Drizzle runs it in a savepoint on the same connection.
  return method.call(
    db,
    (tx: object) => {
      const name = `chronicle_${++savepoints}`
      outer.savepoint(name)
      const failed = (error: unknown) => {
        outer.rollbackToSavepoint(name)
        throw error
      }
      try {
        const result = body(tx, outer, (value) => {
          outer.releaseSavepoint(name)
          return value
        })
        return isThenable(result) ? (result as Promise<unknown>).catch(failed) : result
      } catch (error) {
        return failed(error)
      }
    },
    config,
  )
}

/**
 * `db.insert(t)` and `db.update(t)` return builders whose `values`/`select`/`set` make the
 * executable write; `db.delete(t)` is already one.
 */
function intermediate(builder: object, kind: WriteKind, scope: Scope): object {
  if (builder instanceof QueryPromise) return capturing(builder, kind, scope)
  const proxy: object = new Proxy(builder, {
    get(target, key) {
      const value = Reflect.get(target, key)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        const result = (value as (...a: unknown[]) => unknown).apply(target, args)
        if (result === target) return proxy
        return result instanceof QueryPromise ? capturing(result, kind, scope) : result
      }
    },
  })
  return proxy
}

type Prepared = Record<string, (placeholders?: Record<string, unknown>) => unknown>
type Prepare = (...args: unknown[]) => Prepared

/**
 * The executable write, patched: Drizzle runs every builder through its `_prepare()` (or
 * `prepare()`), so the write runs through core's capture however it is executed.
 */
function capturing(builder: object, kind: WriteKind, scope: Scope): object {
  const conflicts: Conflict[] = []
  const record = builder as Record<string, unknown>
  for (const [method, action] of [
    ['onConflictDoUpdate', 'update'],
    ['onConflictDoNothing', 'nothing'],
  ] as const) {
    const original = record[method]
    if (typeof original !== 'function') continue
    record[method] = (options: { target?: unknown } = {}) => {
      const columns = conflictColumns(scope.context.dialect, options.target)
      conflicts.push({ action, ...(columns && { columns }) })
      return original.call(builder, options)
    }
  }
  for (const method of ['_prepare', 'prepare']) {
    const original = record[method] as Prepare | undefined
    if (typeof original !== 'function') continue
    record[method] = (...args: unknown[]) => {
      const write = new PendingWrite(builder, kind, scope, conflicts, () =>
        original.apply(builder, args),
      )
      if (!scope.driver.querySync) {
        return { execute: (placeholders?: Record<string, unknown>) => write.run(placeholders) }
      }
      const returns = writeConfig(builder).returning !== undefined
      return {
        run: (placeholders?: Record<string, unknown>) => write.runSync('run', placeholders),
        all: (placeholders?: Record<string, unknown>) => write.runSync('all', placeholders),
        get: (placeholders?: Record<string, unknown>) => write.runSync('get', placeholders),
        values: (placeholders?: Record<string, unknown>) => write.runSync('values', placeholders),
        execute: (placeholders?: Record<string, unknown>) =>
          write.runSync(returns ? 'all' : 'run', placeholders),
      }
    }
  }
  return builder
}

type SyncMethod = 'run' | 'all' | 'get' | 'values'

/** One execution of a prepared write, captured, or passed through when not audited. */
class PendingWrite {
  readonly builder: object
  readonly kind: WriteKind
  readonly scope: Scope
  readonly conflicts: readonly Conflict[]
  readonly original: () => Prepared

  constructor(
    builder: object,
    kind: WriteKind,
    scope: Scope,
    conflicts: readonly Conflict[],
    original: () => Prepared,
  ) {
    this.builder = builder
    this.kind = kind
    this.scope = scope
    this.conflicts = conflicts
    this.original = original
  }

  #describe(placeholders: Record<string, unknown>) {
    if (!this.scope.open.value) {
      throw new ChronicleError(
        'UNSUPPORTED',
        'this transaction has ended: a write through its tx cannot run (awaited after an async callback on a synchronous driver, say)',
      )
    }
    return describeWrite(this.kind, this.builder, this.scope.context, this.conflicts, placeholders)
  }

  async run(placeholders: Record<string, unknown> = {}): Promise<unknown> {
    const write = this.#describe(placeholders)
    if (!write) return this.original().execute?.(placeholders)
    const scope = this.scope
    const { engine, driver, guard } = scope
    // Audited writes on one connection take turns: pre-read, write and entries of one
    // must not interleave with another's (a transaction, or a db on a single connection).
    const inTurn = (run: () => Promise<SqlResult>) => {
      const turn = scope.queue.tail.then(run)
      scope.queue.tail = turn.catch(() => undefined)
      return turn
    }
    let result: SqlResult
    if (guard) {
      const connection = captureConnection(driver, scope.client, scope.begin)
      result = await inTurn(() => captureWrite(engine, connection, guard, write))
    } else {
      const acquired = await driver.acquire(scope.client)
      const connection = captureConnection(driver, acquired.client, scope.begin)
      const run = () => captureWrite(engine, connection, new TransactionGuard(), write)
      try {
        result = await (acquired.shared ? inTurn(run) : run())
      } finally {
        acquired.release()
      }
    }
    return drizzleResult(this.builder, this.kind, scope, result, write)
  }

  runSync(method: SyncMethod, placeholders: Record<string, unknown> = {}): unknown {
    const write = this.#describe(placeholders)
    if (!write) return this.original()[method]?.(placeholders)
    const { engine, driver, guard, client, begin } = this.scope
    const connection = syncCaptureConnection(driver, client, begin)
    const result = captureWriteSync(engine, connection, guard ?? new TransactionGuard(), write)
    const returning = writeConfig(this.builder).returning
    if (method === 'run') return driver.writeResult(this.kind, result)
    if (method === 'values') {
      return result.rows.map((row) => (returning ?? []).map((_, i) => row[String(i)]))
    }
    const rows = drizzleResult(this.builder, this.kind, this.scope, result)
    if (!Array.isArray(rows)) return method === 'all' ? [] : undefined
    return method === 'all' ? rows : rows[0]
  }
}

/** The write's result as Drizzle would have returned it. */
function drizzleResult(
  builder: object,
  kind: WriteKind,
  scope: Scope,
  result: SqlResult,
  write?: WriteDescription,
): unknown {
  const returning = writeConfig(builder).returning
  if (!returning) return scope.driver.writeResult(kind, result)
  if (scope.context.name === 'mysql') return returningIds(returning, result, write, scope)
  return result.rows.map((row) =>
    mapResultRow(
      returning,
      returning.map((_, i) => row[String(i)]),
    ),
  )
}

/**
 * MySQL `$returningId()`: the generated keys, as Drizzle gives them: a key generated by
 * `$defaultFn` from the values written, an auto-increment key from the insert id.
 */
function returningIds(
  returning: readonly OrderedField[],
  result: SqlResult,
  write: WriteDescription | undefined,
  scope: Scope,
): unknown[] {
  const [field] = returning
  const [key] = field?.path ?? []
  if (key === undefined || !isColumn(field?.field)) return []
  const column = field.field
  if (columnDefaults(column).defaultFn) {
    const name = columnName(scope.context.dialect, column)
    return (write?.rows ?? []).map((row) => {
      const value = row.get(name)
      return { [key]: value?.known ? value.value : undefined }
    })
  }
  const first = Number(result.insertId ?? 0n)
  const count = Number(result.affectedRows ?? 0n)
  return Array.from({ length: count }, (_, i) => ({ [key]: first + i }))
}
