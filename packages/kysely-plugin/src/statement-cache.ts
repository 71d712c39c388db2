import { preparedStatement, type SqliteHandle } from '@chronicle/core/adapter'

interface Ticket {
  used: boolean
}

/**
 * Reuses better-sqlite3's prepared statements for Chronicle's own statements, which Kysely's
 * `SqliteDriver` would prepare anew every time (a fifth of a single-row write's cost). The
 * statements still run through the dialect's connection, so everything under it (logging,
 * hooks, wrappers) sees them as before.
 *
 * The handle's `prepare` answers from the cache only for a text Chronicle announced just
 * before sending it, once per announcement; every other call is better-sqlite3's own. A
 * cached statement is only ever run to completion (`all`/`run`), never left iterating, so
 * reuse cannot find it busy; SQLite re-prepares it itself after a schema change.
 */
export class StatementCache {
  /** Texts announced and not yet prepared, one ticket per announcement. */
  readonly #announced = new Map<string, Ticket[]>()

  private constructor(handle: SqliteHandle) {
    const prepare = handle.prepare
    const announced = this.#announced
    // An own property over the prototype's: this handle only, and only these texts.
    handle.prepare = function (this: SqliteHandle, sql: string) {
      const tickets = announced.get(sql)
      const ticket = tickets?.shift()
      if (!ticket) return prepare.call(this, sql)
      ticket.used = true
      if (tickets?.length === 0) announced.delete(sql)
      return preparedStatement(this, sql, prepare)
    }
  }

  static readonly #byHandle = new WeakMap<SqliteHandle, StatementCache>()

  /** The handle's cache: one per handle, however many drivers share it. */
  static of(handle: SqliteHandle): StatementCache {
    let cache = StatementCache.#byHandle.get(handle)
    if (!cache) {
      cache = new StatementCache(handle)
      StatementCache.#byHandle.set(handle, cache)
    }
    return cache
  }

  /** Runs `send`, during which the next `prepare(sql)` on the handle may reuse a statement. */
  async run<T>(sql: string, send: () => Promise<T>): Promise<T> {
    const ticket: Ticket = { used: false }
    const tickets = this.#announced.get(sql)
    if (tickets) tickets.push(ticket)
    else this.#announced.set(sql, [ticket])
    try {
      return await send()
    } finally {
      // Not used (a wrapper failed first, or answered itself): withdraw it.
      if (!ticket.used) {
        const rest = this.#announced.get(sql)?.filter((t) => t !== ticket) ?? []
        if (rest.length > 0) this.#announced.set(sql, rest)
        else this.#announced.delete(sql)
      }
    }
  }
}
