import {
  type AuditEngine,
  ChronicleError,
  captureWrite,
  type SqlResult,
  TransactionGuard,
} from '@chronicle/core/adapter'
import { QueryPromise } from 'drizzle-orm'
import { captureConnection, type Driver, type DriverClient } from './drivers.js'
import { mapResultRow, type OrderedField, sessionClient, writeConfig } from './drizzle-internals.js'
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
        if ((key !== 'prepareQuery' && key !== 'prepareOneTimeQuery') || typeof value !== 'function')
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

function transaction(
  db: object,
  method: TransactionMethod,
  scope: Scope,
  work: (tx: object) => unknown,
  config: unknown,
): unknown {
  const outer = scope.guard
  if (!outer) {
    return method.call(
      db,
      async (tx: object) => {
        const guard = new TransactionGuard()
        guard.begin()
        try {
          const result = await work(
            attachScope(tx, {
              ...scope,
              client: sessionClient(tx) as DriverClient,
              guard,
              queue: { tail: Promise.resolve() },
            }),
          )
          guard.assertCommittable()
          return result
        } finally {
          guard.end()
        }
      },
      config,
    )
  }
  // Nested: Drizzle runs it in a savepoint on the same connection.
  return method.call(
    db,
    async (tx: object) => {
      const name = `chronicle_${++savepoints}`
      outer.savepoint(name)
      try {
        const result = await work(
          attachScope(tx, { ...scope, client: sessionClient(tx) as DriverClient }),
        )
        outer.releaseSavepoint(name)
        return result
      } catch (error) {
        outer.rollbackToSavepoint(name)
        throw error
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

type Prepare = (...args: unknown[]) => { execute(placeholders?: Record<string, unknown>): unknown }

/**
 * The executable write, patched: Drizzle runs every builder through its `_prepare()` (or
 * `prepare()`), so the write runs through core's capture however it is awaited.
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
    record[method] = (...args: unknown[]) => ({
      execute: (placeholders: Record<string, unknown> = {}) =>
        runWrite(builder, kind, scope, conflicts, placeholders, () =>
          original.apply(builder, args).execute(placeholders),
        ),
    })
  }
  return builder
}

async function runWrite(
  builder: object,
  kind: WriteKind,
  scope: Scope,
  conflicts: readonly Conflict[],
  placeholders: Record<string, unknown>,
  passThrough: () => unknown,
): Promise<unknown> {
  const write = describeWrite(kind, builder, scope.context, conflicts, placeholders)
  if (!write) return passThrough()
  const { engine, driver, guard } = scope
  let result: SqlResult
  if (guard) {
    const connection = captureConnection(driver, scope.client, scope.begin)
    const run = scope.queue.tail.then(() => captureWrite(engine, connection, guard, write))
    scope.queue.tail = run.catch(() => undefined)
    result = await run
  } else {
    const { client, release } = await driver.acquire(scope.client)
    try {
      const connection = captureConnection(driver, client, scope.begin)
      result = await captureWrite(engine, connection, new TransactionGuard(), write)
    } finally {
      release()
    }
  }
  return drizzleResult(builder, kind, scope, result)
}

/** The write's result as Drizzle would have returned it. */
function drizzleResult(builder: object, kind: WriteKind, scope: Scope, result: SqlResult): unknown {
  const returning = writeConfig(builder).returning
  if (!returning) return scope.driver.writeResult(kind, result)
  if (scope.context.name === 'mysql') return returningIds(returning, result)
  return result.rows.map((row) =>
    mapResultRow(
      returning,
      returning.map((_, i) => row[String(i)]),
    ),
  )
}

/** MySQL `$returningId()`: the generated keys, as Drizzle derives them from the insert id. */
function returningIds(returning: readonly OrderedField[], result: SqlResult): unknown[] {
  const first = Number(result.insertId ?? 0n)
  const count = Number(result.affectedRows ?? 0n)
  const [key] = returning[0]?.path ?? []
  return key === undefined ? [] : Array.from({ length: count }, (_, i) => ({ [key]: first + i }))
}
