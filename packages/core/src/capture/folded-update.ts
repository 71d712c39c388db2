import type { Statement } from '../store/dialect.js'

/** The CTE names and the side column of {@link foldUpdate}'s statement. */
export const OLD_ROWS = '__chronicle_old'
const NEW_ROWS = '__chronicle_new'
/** `'n'` on a row the UPDATE returned, `'o'` on a row as the locked read found it. */
export const SIDE = '__chronicle_side'

/**
 * PostgreSQL: the locked pre-read and the UPDATE as one statement, one round trip instead
 * of two. The read is a CTE the UPDATE depends on (its WHERE requires the key to be among the
 * read's rows), so every row is locked, and read at its latest committed version, before the
 * UPDATE touches it: the same guarantee as two statements, under READ COMMITTED too. Old and
 * new rows come back as one UNION ALL told apart by {@link SIDE}, each as `<target>.*`, so
 * neither needs a cached column list and both keep the driver's types.
 *
 * `null` when the statements cannot be composed safely (the user's own WITH, a text whose
 * placeholders cannot be told from literals, too many parameters): the caller then runs them
 * as two statements.
 *
 * @param select the locked pre-read, `<target>.*` then the exact reads
 * @param write the UPDATE restricted to the keys of {@link OLD_ROWS}, RETURNING
 *   `<target>.*`, the exact reads, then `userColumns` of the caller's own selections
 */
export function foldUpdate(
  select: Statement,
  write: Statement,
  userColumns: number,
  maxParams: number,
): Statement | null {
  if (select.params.length + write.params.length > maxParams) return null
  const key = `${select.params.length}\u0000${userColumns}\u0000${select.sql}\u0000${write.sql}`
  let sql = composed.get(key)
  if (sql === undefined) {
    sql = compose(select.sql, write.sql, select.params.length, userColumns)
    if (composed.size >= 64) composed.delete(composed.keys().next().value as string)
    composed.set(key, sql)
  }
  return sql === null ? null : { sql, params: [...select.params, ...write.params] }
}

/** Composed texts of recent statement shapes: the scan runs once per shape, not per write. */
const composed = new Map<string, string | null>()

function compose(
  select: string,
  write: string,
  offset: number,
  userColumns: number,
): string | null {
  if (startsWithWith(select) || startsWithWith(write)) return null
  const shifted = shiftPlaceholders(write, offset)
  if (shifted === null || shiftPlaceholders(select, 0) === null) return null
  return (
    `WITH "${OLD_ROWS}" AS (${select}), "${NEW_ROWS}" AS (${shifted}) ` +
    `SELECT 'n' AS "${SIDE}", * FROM "${NEW_ROWS}" ` +
    `UNION ALL SELECT 'o', *${', NULL'.repeat(userColumns)} FROM "${OLD_ROWS}"`
  )
}

function startsWithWith(sql: string): boolean {
  return /^\s*\(?\s*with\b/i.test(sql)
}

const IDENTIFIER_CHAR = /[\p{L}\p{N}_$]/u

/**
 * Renumbers PostgreSQL's `$n` placeholders by `offset`, skipping quoted identifiers and
 * standard string literals. `null` for what could hide a `$n` that is not a placeholder
 * (comments, escape strings, dollar quoting, a `$` inside a name), so that the caller falls
 * back rather than guess.
 */
export function shiftPlaceholders(sql: string, offset: number): string | null {
  let out = ''
  let i = 0
  while (i < sql.length) {
    const c = sql[i] as string
    if (c === '"' || c === "'") {
      if (c === "'" && i > 0 && /[eE]/.test(sql[i - 1] as string)) return null
      let end = i + 1
      for (;;) {
        end = sql.indexOf(c, end)
        if (end < 0) return null
        if (sql[end + 1] === c) end += 2
        else break
      }
      out += sql.slice(i, end + 1)
      i = end + 1
      continue
    }
    if ((c === '-' && sql[i + 1] === '-') || (c === '/' && sql[i + 1] === '*')) return null
    if (c === '$') {
      const digits = /^\d+/.exec(sql.slice(i + 1))?.[0]
      if (!digits || (i > 0 && IDENTIFIER_CHAR.test(sql[i - 1] as string))) return null
      out += `$${Number(digits) + offset}`
      i += 1 + digits.length
      continue
    }
    out += c
    i += 1
  }
  return out
}
