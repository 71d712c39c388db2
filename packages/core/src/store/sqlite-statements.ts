/** The part of a better-sqlite3 `Database` that prepared-statement reuse needs. */
export interface SqliteHandle {
  prepare(sql: string): unknown
  defaultSafeIntegers(toggle?: boolean): unknown
}

/** Chronicle's statement shapes per handle are few; bulk chunks add a few more. */
const CAPACITY = 128

const caches = new WeakMap<SqliteHandle, Map<string, unknown>>()

/**
 * better-sqlite3's prepared statement for `sql` on `handle`, kept for the next call:
 * preparing costs more than running a small statement (a fifth of a single-row audited
 * write). Most recently used first, at most {@link CAPACITY} per handle. A statement takes
 * the handle's integer mode when prepared, so a change of `defaultSafeIntegers` empties the
 * handle's cache. Only for statements always run to completion (`all`/`run`), so that a
 * reused one is never found busy; SQLite re-prepares it itself after a schema change.
 *
 * @param prepare better-sqlite3's own `prepare`, where the caller has replaced the handle's
 */
export function preparedStatement<S>(
  handle: SqliteHandle,
  sql: string,
  prepare: (this: SqliteHandle, sql: string) => unknown = handle.prepare,
): S {
  const statements = cacheOf(handle)
  let statement = statements.get(sql)
  if (statement === undefined) {
    statement = prepare.call(handle, sql)
    if (statements.size >= CAPACITY) statements.delete(statements.keys().next().value as string)
  } else {
    statements.delete(sql)
  }
  statements.set(sql, statement)
  return statement as S
}

function cacheOf(handle: SqliteHandle): Map<string, unknown> {
  let statements = caches.get(handle)
  if (!statements) {
    const cache = new Map<string, unknown>()
    const defaultSafeIntegers = handle.defaultSafeIntegers
    // An own property over the prototype's: this handle only.
    handle.defaultSafeIntegers = function (this: SqliteHandle, ...args: [boolean?]) {
      cache.clear()
      return defaultSafeIntegers.apply(this, args)
    }
    caches.set(handle, cache)
    statements = cache
  }
  return statements
}
